/**
 * One label set of one config entry, and everything done for it: its history, its anomaly scorer,
 * its model (fit bookkeeping, updates, forecasts, a fallback when the model misbehaves), its live
 * accuracy, and the record it publishes. The unit is also the failure boundary: a stage that
 * throws is reported once, and the series is skipped until its next refit while every other
 * series goes on.
 */
import type { SeriesConfig } from '../config/schema.js';
import { getDetector } from '../detectors/index.js';
import type { Detection, SeriesScorer } from '../detectors/types.js';
import { AdaptiveCalibration, type AdaptiveCalibrationState } from '../models/adaptive-calibration.js';
import { naiveFallback } from '../models/auto.js';
import { getModel } from '../models/index.js';
import { isEntryModel, type FittedModel, type ForecastResult } from '../models/types.js';
import type { Labels } from '../sources/types.js';
import type { EntryRenderer } from '../store/exposition.js';
import type { ForecastPath, SeriesRecord } from '../store/record.js';
import type { SampleDropReason, SeriesStage } from '../vocabulary.js';
import { AccuracyTracker } from './accuracy.js';
import type { AnomalyEvent } from './anomaly-log.js';
import { History } from './history.js';
import type { StoredModel } from './model-store.js';
import { ViewMemory } from './view-memory.js';
import { phaseOf, seriesKey } from './series-key.js';

/** What a unit reports upwards; the worker turns these into self-metrics and logs. */
export interface UnitEvents {
  anomaly(event: AnomalyEvent): void;
  /** a stage threw or misbehaved; the unit has already decided what to do about it */
  error(key: string, stage: SeriesStage, message: string): void;
  dropped(reason: SampleDropReason, count: number): void;
}

/** The model actually serving: auto reports the candidate it chose. */
export function servingModelName(model: FittedModel): string {
  if (model.name !== 'auto') return model.name;
  const chosen = /^auto: ([a-z_]+)/.exec(model.description);
  return chosen ? chosen[1] : model.name;
}

/** a stored model fitted more than this many refit intervals ago is refitted, not restored */
const STALE_STORED_REFITS = 2;

const seedOf = (key: string) => Math.floor(phaseOf(key) * 2 ** 31);

const allFinite = (a: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
};

export class SeriesUnit {
  readonly key: string;
  readonly history: History;
  /** the base label text every output line starts with, computed once */
  private readonly base: string;
  private scorer: SeriesScorer;
  private readonly accuracy: AccuracyTracker;
  /** widens or narrows served bands until their observed coverage matches the level; kept across refits */
  private calibration: AdaptiveCalibration;
  private readonly view: ViewMemory;
  private readonly maxSteps: number;
  /** the entry's model is fitted across all its label sets at once (pipeline/entry-fit.ts) */
  readonly entryModel: boolean;

  simulated: boolean;
  model?: FittedModel;
  /** timestamp of the last point the model has absorbed */
  modelT = -Infinity;
  /** clock time of the last successful fit, -Infinity before */
  lastFit = -Infinity;
  /** clock time the next fit is due */
  fitDue = -Infinity;
  fitting = false;
  /** timestamp of the last point the scorer has seen */
  scoredT = -Infinity;
  /** the stage that failed, while the series is suspended until its next refit */
  suspended?: SeriesStage;
  /** more history is on its way (first load in chunks): do not fit yet */
  loading = false;
  /** older history arrived during a fit: fit again once it is in */
  private refitAfterFit = false;
  private restored = false;

  private forecast?: ForecastPath;
  private forecastAt?: number;
  /** a new model must forecast even if the origin has not moved */
  private reforecast = false;
  private detection?: Detection;
  private dirty = true;
  private published = false;

  constructor(
    readonly entry: SeriesConfig,
    readonly labels: Labels,
    private readonly renderer: EntryRenderer,
    simulated: boolean,
    private readonly events: UnitEvents,
    /** known incidents of this series (`anomaly_labels`), for detectors that learn from them */
    private readonly incidents?: ReadonlyArray<[number, number]>,
  ) {
    this.key = seriesKey(entry.name, labels);
    this.simulated = simulated;
    this.base = renderer.baseLabels(labels);
    this.history = new History(entry.step, Math.max(2, Math.ceil(entry.lookback / entry.step)));
    this.scorer = this.createScorer();
    this.accuracy = new AccuracyTracker(entry.horizons, entry.levels, entry.step);
    this.calibration = SeriesUnit.newCalibration(entry);
    this.view = new ViewMemory(entry.horizons, entry.levels, entry.step);
    this.maxSteps = Math.max(...entry.horizons.map((h) => Math.max(1, Math.round(h / entry.step))));
    this.entryModel = isEntryModel(getModel(entry.model)!);
  }

  /** calibrated at one step ahead and at every configured horizon */
  private static newCalibration(entry: SeriesConfig): AdaptiveCalibration {
    const steps = entry.horizons.map((h) => Math.max(1, Math.round(h / entry.step)));
    const horizons = [...new Set([1, ...steps])].sort((a, b) => a - b);
    return new AdaptiveCalibration({ step: entry.step, horizons, levels: entry.levels });
  }

  private createScorer(): SeriesScorer {
    const e = this.entry;
    const seasonLengths = e.seasonality.map((s) => Math.round(s / e.step));
    return getDetector(e.detector)!.create({
      step: e.step,
      seasonLengths: seasonLengths.length ? seasonLengths : undefined,
      threshold: e.anomaly_threshold,
      labels: this.incidents,
    });
  }

  /** points appended but not yet scored */
  get unscored(): number {
    if (this.history.length === 0) return 0;
    if (!Number.isFinite(this.scoredT)) return this.history.length;
    return Math.max(0, Math.round((this.history.lastT - this.scoredT) / this.entry.step));
  }

  /** Try to restore a model saved by an earlier run; false when it cannot serve (then it is refitted). */
  restore(stored: StoredModel, now: number): boolean {
    if (stored.requested !== this.entry.model) return false;
    // a model fitted long ago (by this member before the series moved away and back, or by
    // another member whose volume this is) would serve stale forecasts: refit instead
    if (!(now - stored.fittedAt <= STALE_STORED_REFITS * this.entry.refit_interval)) return false;
    try {
      const model = getModel(stored.state.model)!.restore(stored.state);
      const probe = model.forecast(1, this.entry.levels);
      if (!allFinite(probe.point) || !probe.intervals.every((iv) => allFinite(iv.lower) && allFinite(iv.upper)))
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
    } catch (err) {
      this.events.error(this.key, 'restore', (err as Error).message);
      return false;
    }
  }

  /**
   * Append points newer than the last one, filling skipped grid slots with NaN; NaN and infinite
   * samples become gaps and are counted. A gap longer than the history restarts the series.
   */
  append(timestamps: ArrayLike<number>, values: ArrayLike<number>): number {
    const step = this.entry.step;
    let added = 0;
    let nan = 0;
    let inf = 0;
    for (let i = 0; i < timestamps.length; i++) {
      const t = Math.round(timestamps[i] / step) * step;
      if (t <= this.history.lastT) continue;
      let v = values[i];
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) {
        inf++;
        v = NaN;
      }
      if (this.history.length > 0) {
        const missing = Math.round((t - this.history.lastT) / step) - 1;
        if (missing >= this.history.capacity) this.restart();
        else for (let k = 1; k <= missing; k++) this.history.push(this.history.lastT + step, NaN);
      }
      this.history.push(t, v);
      this.accuracy.observe(t, v);
      if (Number.isFinite(v)) this.calibration.observe(t, v);
      added++;
    }
    if (nan > 0) this.events.dropped('nan', nan);
    if (inf > 0) this.events.dropped('inf', inf);
    if (added > 0) this.dirty = true;
    return added;
  }

  /**
   * History older than what the unit holds, loaded after the newest part (pipeline's first load):
   * the detector starts again from the oldest point, and a model fitted on the newest part alone is
   * refitted on the whole once the load is complete (a restored one was fitted on a whole history).
   */
  prependOlder(timestamps: ArrayLike<number>, values: ArrayLike<number>): number {
    const written = this.history.writeOlder(timestamps, values);
    if (written === 0) return 0;
    this.loading = true;
    // the detector starts again from the oldest point, once (a long load comes in many chunks)
    if (Number.isFinite(this.scoredT)) {
      this.scorer = this.createScorer();
      this.scoredT = -Infinity;
    }
    if (!this.restored) {
      this.fitDue = -Infinity;
      this.refitAfterFit = this.fitting;
    }
    return written;
  }

  private restart(): void {
    this.history.clear();
    this.model = undefined;
    this.modelT = -Infinity;
    this.fitDue = -Infinity;
    this.scoredT = -Infinity;
    this.forecast = undefined;
    this.scorer = this.createScorer();
  }

  /** Score up to `budget` unscored points, oldest first; returns how many were scored. */
  score(budget = Infinity): number {
    if (this.suspended) return 0;
    const h = this.history;
    // a scorer that fell behind the history's start begins at the start (it sees a time gap)
    let i = Number.isFinite(this.scoredT) ? Math.max(0, Math.round((this.scoredT - h.start) / this.entry.step) + 1) : 0;
    let n = 0;
    try {
      for (; i < h.length && n < budget; i++, n++) {
        const t = h.start + i * this.entry.step;
        const v = h.at(i);
        const was = this.detection?.isAnomaly ?? false;
        const d = this.scorer.score(t, v);
        this.scoredT = t;
        this.detection = d;
        if (d.isAnomaly) {
          this.view.recordAnomaly(t, d.score, d.severity);
          if (!was) this.reportAnomaly(t, v, d);
        }
      }
    } catch (err) {
      this.fail('score', err);
    }
    if (n > 0) this.dirty = true;
    return n;
  }

  private reportAnomaly(t: number, v: number, d: Detection): void {
    this.events.anomaly({
      timestamp: new Date(t * 1000).toISOString(),
      series: this.entry.name,
      labels: this.labels,
      value: v,
      expected: d.expected,
      band: d.lower !== undefined && d.upper !== undefined ? [d.lower, d.upper] : undefined,
      score: d.score,
      severity: ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][d.severity],
      model: this.model ? servingModelName(this.model) : this.entry.model,
      detector: this.entry.detector,
    });
  }

  /** Feed the model the points it has not seen and forecast from the newest one. */
  async advance(now: number): Promise<void> {
    if (this.suspended || !this.model) return;
    const lastT = this.history.lastT;
    if (lastT > this.modelT) {
      try {
        this.model.update(this.history.after(this.modelT));
        this.modelT = lastT;
      } catch (err) {
        return this.fail('update', err);
      }
    }
    if (this.forecast?.origin === lastT && !this.reforecast) return;
    let result: ForecastResult;
    try {
      result = this.model.forecast(this.maxSteps, this.entry.levels);
    } catch (err) {
      return this.fail('forecast', err);
    }
    if (!allFinite(result.point) || !result.intervals.every((iv) => allFinite(iv.lower) && allFinite(iv.upper))) {
      // a model that overflowed serves nothing useful: say so, serve the fallback, refit at once
      this.events.error(this.key, 'forecast', `${this.model.name} forecast non-finite values; serving the fallback`);
      await this.useFallback(now);
      if (!this.model) return;
      result = this.model.forecast(this.maxSteps, this.entry.levels);
    }
    // the bands served are the model's, corrected by how well this series' bands have covered
    this.calibration.record(lastT, result);
    this.publishForecast(this.calibration.adjust(result), lastT, now);
  }

  private publishForecast(result: ForecastResult, origin: number, now: number): void {
    const f: ForecastPath = {
      origin,
      step: this.entry.step,
      point: Float64Array.from(result.point),
      intervals: result.intervals.map((iv) => ({
        level: iv.level,
        lower: Float64Array.from(iv.lower),
        upper: Float64Array.from(iv.upper),
      })),
    };
    const lower = f.intervals.map((iv) => iv.lower);
    const upper = f.intervals.map((iv) => iv.upper);
    this.accuracy.record(origin, f.point, lower, upper);
    this.view.recordForecast(origin, f.point, lower, upper);
    this.forecast = f;
    this.forecastAt = now;
    this.reforecast = false;
    this.dirty = true;
  }

  /** The last value with its own bands, fitted inline (microseconds), until the refit lands. */
  async useFallback(now: number): Promise<void> {
    try {
      this.model = await naiveFallback(
        { values: this.history.slice(), start: this.history.start, step: this.entry.step },
        'fallback',
      );
      this.modelT = this.history.lastT;
      this.reforecast = true;
    } catch (err) {
      this.model = undefined;
      this.fail('forecast', err);
    }
    // an entry model is refitted for the whole entry, on the pipeline's schedule
    this.fitDue = this.entryModel ? Infinity : now;
  }

  /** What an entry-wide fit trains on for this series. */
  trainingInput(): { values: Float64Array; start: number; step: number; lastT: number } {
    const h = this.history;
    return { values: h.slice(), start: h.start, step: this.entry.step, lastT: h.lastT };
  }

  /** Serve a model fitted for the whole entry on the history up to `fitT`. */
  install(model: FittedModel, fitT: number, now: number): void {
    this.model = model;
    this.modelT = fitT;
    this.lastFit = now;
    this.fitDue = Infinity;
    this.suspended = undefined;
    this.reforecast = true;
    this.dirty = true;
  }

  /** Fit a new model on the history (called off the scrape path: in a worker thread). */
  async fit(now: number): Promise<{ model: string; seconds: number } | undefined> {
    const factory = getModel(this.entry.model)!;
    const fitT = this.history.lastT;
    const seasonLengths = this.entry.seasonality.map((s) => Math.round(s / this.entry.step));
    const t0 = performance.now();
    this.fitting = true;
    try {
      const model = await factory.fit(
        { values: this.history.slice(), start: this.history.start, step: this.entry.step },
        // seeded by the series, so every replica of it fits the same model from the same history
        { seasonLengths: seasonLengths.length ? seasonLengths : undefined, seed: seedOf(this.key) },
      );
      this.model = model;
      this.modelT = fitT;
      this.lastFit = now;
      this.restored = false;
      this.fitDue = this.refitAfterFit ? -Infinity : now + this.entry.refit_interval;
      this.refitAfterFit = false;
      if (this.suspended) {
        // a fresh start for the stage that failed
        if (this.suspended === 'score') this.scorer = this.createScorer();
        this.suspended = undefined;
      }
      this.reforecast = true;
      this.dirty = true;
      return { model: servingModelName(model), seconds: (performance.now() - t0) / 1000 };
    } catch (err) {
      // back off: do not retry a failing fit before the next refit interval
      this.fitDue = now + this.entry.refit_interval;
      this.events.error(this.key, 'fit', (err as Error).message);
      return undefined;
    } finally {
      this.fitting = false;
    }
  }

  private fail(stage: SeriesStage, err: unknown): void {
    this.suspended = stage;
    this.dirty = true;
    this.events.error(this.key, stage, (err as Error)?.message ?? String(err));
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

  /**
   * True when something a reader sees changed since the last record. While its history loads, a
   * series publishes once (readers count it) and then waits for the load: a record per chunk
   * would be dozens of renders and copies that nobody reads.
   */
  get changed(): boolean {
    return this.dirty && !(this.loading && this.published);
  }

  /** An immutable snapshot for the store, with its exposition lines rendered. */
  record(): SeriesRecord {
    this.dirty = false;
    this.published = true;
    const d = this.detection;
    const f = this.forecast;
    const state = {
      lastT: Number.isFinite(this.history.lastT) ? this.history.lastT : NaN,
      lastValue: this.history.lastFinite(),
      // the record owns copies: records cross threads and their buffers are handed over
      forecast: f && {
        ...f,
        point: f.point.slice(),
        intervals: f.intervals.map((iv) => ({ level: iv.level, lower: iv.lower.slice(), upper: iv.upper.slice() })),
      },
      detection: d ? { score: d.score, isAnomaly: d.isAnomaly, severity: d.severity } : undefined,
      model: this.model
        ? {
            name: servingModelName(this.model),
            requested: this.entry.model,
            description: this.model.description,
            lastFit: this.lastFit,
          }
        : undefined,
      accuracy: this.accuracy.summary(),
    };
    const { exposition, offsets } = this.renderer.render(this.base, state);
    return {
      key: this.key,
      entry: this.entry.name,
      labels: this.labels,
      step: this.entry.step,
      simulated: this.simulated,
      ...state,
      forecastAt: this.forecastAt,
      exposition,
      offsets,
    };
  }

  /** What the built-in view draws for this series beyond the record. */
  detail(maxPoints: number) {
    const h = this.history;
    const from = Math.max(0, h.length - maxPoints);
    const actual: Array<[number, number]> = [];
    for (let i = from; i < h.length; i++) actual.push([h.start + i * this.entry.step, h.at(i)]);
    return { actual, pastForecasts: this.view.pastForecasts(), anomalies: this.view.anomalies() };
  }
}
