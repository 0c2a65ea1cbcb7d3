/**
 * The model serving one series and its bookkeeping: when it was fitted and on which points, when
 * the next fit is due, the online band calibration kept across refits, and what to save and
 * restore. Fits go through the fallback chain (models/fallback.ts): when the requested model fails
 * or gives no usable bands, the next one serves, and the unit is told once per change so it shows
 * in self-metrics and `model_info`. The series unit (series-unit.ts) decides when; this holds what.
 */
import type { SeriesConfig } from '../config/schema.js';
import { AdaptiveCalibration, type AdaptiveCalibrationState } from '../models/adaptive-calibration.js';
import { naiveFallback } from '../models/auto.js';
import { fitWithFallback } from '../models/fallback.js';
import { getModel } from '../models/index.js';
import type { FittedModel, ForecastResult, SeriesInput } from '../models/types.js';
import type { StoredModel } from './model-store.js';
import { phaseOf } from './series-key.js';

/** a stored model fitted more than this many refit intervals ago is refitted, not restored */
const STALE_STORED_REFITS = 2;

const allFinite = (a: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
};

/** true when every number of a forecast is finite */
export function finiteForecast(r: ForecastResult): boolean {
  return allFinite(r.point) && r.intervals.every((iv) => allFinite(iv.lower) && allFinite(iv.upper));
}

/** The model actually serving: auto reports the candidate it chose. */
export function servingModelName(model: FittedModel): string {
  if (model.name !== 'auto') return model.name;
  const chosen = /^auto: ([a-z_]+)/.exec(model.description);
  return chosen ? chosen[1] : model.name;
}

/** What a fit reports back. */
export interface FitOutcome {
  model: string;
  seconds: number;
  /** the requested model, when it failed and another serves */
  fellBackFrom?: string;
  reason?: string;
}

export class ServedModel {
  model?: FittedModel;
  /** timestamp of the last point the model has absorbed */
  modelT = -Infinity;
  /** clock time of the last successful fit, -Infinity before */
  lastFit = -Infinity;
  /** clock time the next fit is due */
  fitDue = -Infinity;
  fitting = false;
  /** the model came from the store and was fitted on a whole history */
  restored = false;
  /** older history arrived during a fit: fit again once it is in */
  refitAfterFit = false;
  /** the requested model failed at the last fit; the chain's next serves */
  fellBackFrom?: string;
  /** widens or narrows served bands until their observed coverage matches the level */
  calibration: AdaptiveCalibration;

  constructor(
    private readonly entry: SeriesConfig,
    private readonly key: string,
  ) {
    this.calibration = ServedModel.newCalibration(entry);
  }

  /** calibrated at one step ahead and at every configured horizon */
  private static newCalibration(entry: SeriesConfig): AdaptiveCalibration {
    const steps = entry.horizons.map((h) => Math.max(1, Math.round(h / entry.step)));
    const horizons = [...new Set([1, ...steps])].sort((a, b) => a - b);
    return new AdaptiveCalibration({ step: entry.step, horizons, levels: entry.levels });
  }

  /** the name shown in `model_info`: what serves, never "auto" */
  get servingName(): string | undefined {
    return this.model ? servingModelName(this.model) : undefined;
  }

  /** `model_info`'s description: the model's own, and the fallback when there was one */
  get description(): string {
    const own = this.model?.description ?? '';
    return this.fellBackFrom ? `${own} (fallback: ${this.fellBackFrom} failed)` : own;
  }

  /** forget the model (the history restarted) */
  reset(): void {
    this.model = undefined;
    this.modelT = -Infinity;
    this.fitDue = -Infinity;
  }

  /**
   * Serve a model saved by an earlier run; false when it cannot serve (then it is refitted). A
   * model fitted long ago (by this member before the series moved away and back, or by another
   * member whose volume this is) would serve stale forecasts: it is refitted instead. Throws
   * when the stored state is unusable.
   */
  restore(stored: StoredModel, now: number): boolean {
    if (stored.requested !== this.entry.model) return false;
    if (!(now - stored.fittedAt <= STALE_STORED_REFITS * this.entry.refit_interval)) return false;
    const model = getModel(stored.state.model)!.restore(stored.state);
    if (!finiteForecast(model.forecast(1, this.entry.levels)))
      throw new Error('stored model forecasts non-finite values');
    this.model = model;
    this.modelT = stored.modelT;
    this.lastFit = stored.fittedAt;
    if (stored.calibration) {
      try {
        this.calibration = AdaptiveCalibration.restore(stored.calibration as AdaptiveCalibrationState);
      } catch {
        // a calibration from another configuration: start afresh, the model itself is fine
      }
    }
    this.fitDue = Math.max(now, stored.fittedAt + this.entry.refit_interval);
    this.restored = true;
    return true;
  }

  /** Fit on `input` (whose last point is at `fitT`) through the fallback chain. Throws when every link fails. */
  async fit(input: SeriesInput, fitT: number, now: number): Promise<FitOutcome> {
    const e = this.entry;
    const seasonLengths = e.seasonality.map((s) => Math.round(s / e.step));
    const t0 = performance.now();
    this.fitting = true;
    try {
      const fit = await fitWithFallback(e.model, input, {
        seasonLengths: seasonLengths.length ? seasonLengths : undefined,
        // seeded by the series, so every replica of it fits the same model from the same history
        seed: Math.floor(phaseOf(this.key) * 2 ** 31),
        levels: e.levels,
      });
      this.model = fit.model;
      this.modelT = fitT;
      this.lastFit = now;
      this.restored = false;
      this.fellBackFrom = fit.fellBackFrom;
      this.fitDue = this.refitAfterFit ? -Infinity : now + e.refit_interval;
      this.refitAfterFit = false;
      const seconds = (performance.now() - t0) / 1000;
      return { model: servingModelName(fit.model), seconds, fellBackFrom: fit.fellBackFrom, reason: fit.reason };
    } catch (err) {
      // back off: do not retry a failing fit before the next refit interval
      this.fitDue = now + e.refit_interval;
      throw err;
    } finally {
      this.fitting = false;
    }
  }

  /** The last value with its own bands, fitted inline (microseconds), until the refit lands. */
  async serveLastValue(input: SeriesInput, lastT: number, now: number, entryModel: boolean): Promise<void> {
    try {
      this.model = await naiveFallback(input, 'fallback');
      this.modelT = lastT;
    } finally {
      // an entry model is refitted for the whole entry, on the pipeline's schedule
      this.fitDue = entryModel ? Infinity : now;
    }
  }

  /** Serve a model fitted for the whole entry on the history up to `fitT`. */
  install(model: FittedModel, fitT: number, now: number): void {
    this.model = model;
    this.modelT = fitT;
    this.lastFit = now;
    this.fitDue = Infinity;
  }

  /** the model to save after a fit */
  stored(): StoredModel | undefined {
    if (!this.model) return undefined;
    return {
      key: this.key,
      requested: this.entry.model,
      state: this.model.toJSON(),
      modelT: this.modelT,
      fittedAt: this.lastFit,
      calibration: this.calibration.toJSON(),
    };
  }
}
