/**
 * `auto`, the default model: per series, validate a small set of cheap candidates on rolling
 * origins over the last day of history (validation.ts), serve the mean of the two with the
 * lowest validation error (just the best when the second is more than 1.5 times worse), and
 * calibrate its bands on that same validation's errors of the mean (split-conformal, corrected
 * for overlapping forecasts; see calibration.ts). The mean of two beat the single best on 9 of
 * the 10 sources and steps we held out (docs/benchmarks.md): the choice on one day is noisy.
 *
 * Candidates are the last value (strong on bursty series), seasonal naive, ets, sarima and the
 * median of the last hour: all fit in a few milliseconds, which keeps auto under 10 ms per series
 * on a week of 5-minute data. Slower registered models (mstl, prophet, lstm) are deliberately not
 * candidates (lstm measured: bench/forecast-lstm.ts). Too short a history (less than three
 * validation horizons) falls back to the last value with its own bands.
 *
 * The options are the alternatives bench/forecast-variants.ts measures (a longer window, the
 * choice on its last day only, a statsforecast-style fallback guard, refitting the choice, the
 * single best); the defaults are what leave-one-source-out validation kept (docs/benchmarks.md).
 */
import type { FitOptions, FittedModel, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { seasonalNaive } from './seasonal-naive.js';
import { ets } from './ets.js';
import { sarima } from './sarima.js';
import { recentMedian } from './auto/recent-median.js';
import { CalibratedModel, conformalTable, restoreCalibrated, tableFromModel } from './calibration.js';
import { validateOnTail, type TailCandidate, type TailValidation } from './validation.js';
import { WeightedModel, restoreWeighted, weightedErrors } from './weighted.js';

export const AUTO_CANDIDATES: TailCandidate[] = [
  { name: 'naive', factory: seasonalNaive, fitOptions: { seasonLengths: [1] } },
  { name: 'seasonal_naive', factory: seasonalNaive },
  { name: 'ets', factory: ets },
  { name: 'sarima', factory: sarima },
  { name: 'recent_median', factory: recentMedian },
];

/** inner models by the name they serialise under */
const RESTORERS: Record<string, ModelFactory> = {
  seasonal_naive: seasonalNaive,
  ets,
  sarima,
  recent_median: recentMedian,
};

export function restoreCandidate(inner: SerializedModel): FittedModel {
  if (inner.model === 'weighted') return restoreWeighted(inner, restoreCandidate);
  const factory = Object.hasOwn(RESTORERS, inner.model) ? RESTORERS[inner.model] : undefined;
  if (!factory) throw new ModelError('auto', `unknown inner model ${inner.model}`);
  return factory.restore(inner);
}

export interface AutoOptions {
  /** validated horizon, seconds */
  horizonSeconds: number;
  /** validation window, seconds, at most `maxShare` of the history */
  windowSeconds: number;
  maxShare: number;
  /** the most recent part of the window the choice is made on, seconds (<= windowSeconds) */
  selectSeconds: number;
  /** conformal quantile levels corrected for the few independent errors of long horizons */
  overlapCorrection: boolean;
  /** refit the chosen candidate on the whole history (else: fitted before the window, updated) */
  refit: boolean;
  /**
   * statsforecast-style guard: when the choice is worse over the whole window than the best of
   * these simple candidates, serve that one instead (no combination then)
   */
  fallbacks: string[];
  /** serve the equal-weight mean of up to this many of the best candidates... */
  combine: number;
  /** ...those whose validation error is within this multiple of the best's */
  combineWithin: number;
}

export const AUTO_DEFAULTS: AutoOptions = {
  horizonSeconds: 14400,
  windowSeconds: 86400,
  maxShare: 1 / 3,
  selectSeconds: 86400,
  overlapCorrection: true,
  refit: false,
  fallbacks: [],
  combine: 2,
  combineWithin: 1.5,
};

export interface ValidationPlan {
  /** validated horizon in steps */
  horizon: number;
  /** validation window in steps (at most `maxShare` of the history) */
  window: number;
  /** steps between validation origins */
  stride: number;
}

export function validationPlan(
  length: number,
  step: number,
  options: Pick<AutoOptions, 'horizonSeconds' | 'windowSeconds' | 'maxShare'> = AUTO_DEFAULTS,
): ValidationPlan | undefined {
  const horizon = Math.max(1, Math.round(options.horizonSeconds / step));
  const window = Math.min(Math.round(options.windowSeconds / step), Math.floor(length * options.maxShare));
  if (window < horizon || length - window < 2 * horizon) return undefined;
  return { horizon, window, stride: Math.max(1, Math.round(horizon / 8)) };
}

/** Validation of every candidate on the tail, or undefined when the history is too short. */
export async function validateCandidates(
  series: SeriesInput,
  options: FitOptions = {},
  autoOptions: AutoOptions = AUTO_DEFAULTS,
): Promise<{ plan: ValidationPlan; validations: TailValidation[] } | undefined> {
  const plan = validationPlan(series.values.length, series.step, autoOptions);
  if (!plan) return undefined;
  const candidates = AUTO_CANDIDATES.map((c) => ({
    ...c,
    fitOptions: { ...options, ...c.fitOptions },
  }));
  const validations = (
    await validateOnTail(series.values, candidates, { ...plan, step: series.step, start: series.start })
  ).filter((v) => Number.isFinite(v.mae));
  return validations.length > 0 ? { plan, validations } : undefined;
}

/** The last value with its own bands: the fallback when there is too little to validate on. */
export async function naiveFallback(series: SeriesInput, name: string): Promise<CalibratedModel> {
  const fitted = await seasonalNaive.fit(series, { seasonLengths: [1] });
  const horizon = Math.max(1, Math.round(14400 / series.step));
  return new CalibratedModel(fitted, tableFromModel(fitted, horizon), name, `${name}: last value (short history)`);
}

/** Mean absolute error over the last `origins` validation origins (all when more). */
export function recentError(errors: number[][], origins: number): number {
  let sum = 0;
  let count = 0;
  for (const row of errors) {
    for (let k = Math.max(0, row.length - origins); k < row.length; k++) {
      const e = row[k];
      if (e === e) {
        sum += Math.abs(e);
        count++;
      }
    }
  }
  return count > 0 ? sum / count : NaN;
}

export function createAuto(overrides: Partial<AutoOptions> = {}): ModelFactory {
  const o: AutoOptions = { ...AUTO_DEFAULTS, ...overrides };
  return {
    name: 'auto',
    summary: 'per series, the best of naive / seasonal naive / ets / sarima on tail validation, conformal bands',
    selfCalibrated: true,

    async fit(series: SeriesInput, options = {}) {
      const validated = await validateCandidates(series, options, o);
      if (!validated) return naiveFallback(series, 'auto');
      const { plan, validations } = validated;
      const selectOrigins = Math.ceil(Math.round(o.selectSeconds / series.step) / plan.stride);
      const ranked = validations
        .map((v) => ({ v, error: recentError(v.errors, selectOrigins) }))
        .filter((r) => Number.isFinite(r.error))
        .sort((a, b) => a.error - b.error);
      if (ranked.length === 0) ranked.push({ v: validations[0], error: validations[0].mae });
      let chosen = ranked
        .slice(0, Math.max(1, o.combine))
        .filter((r) => r.error <= o.combineWithin * ranked[0].error)
        .map((r) => r.v);
      const guard = validations.filter((v) => o.fallbacks.includes(v.name) && v.mae < chosen[0].mae);
      if (guard.length > 0) chosen = [guard.reduce((a, b) => (b.mae < a.mae ? b : a))];
      if (o.refit) {
        for (const v of chosen) {
          const candidate = AUTO_CANDIDATES.find((c) => c.name === v.name)!;
          v.fitted = await candidate.factory.fit(series, { ...options, ...candidate.fitOptions });
        }
      }
      const weights = chosen.map(() => 1 / chosen.length);
      const served =
        chosen.length === 1
          ? chosen[0].fitted
          : new WeightedModel(chosen.map((v, i) => ({ weight: weights[i], model: v.fitted })));
      const errors =
        chosen.length === 1
          ? chosen[0].errors
          : weightedErrors(
              chosen.map((v) => v.errors),
              weights,
            );
      const table =
        conformalTable(errors, { overlapCorrection: o.overlapCorrection }) ?? tableFromModel(served, plan.horizon);
      const label = chosen.map((v) => `${v.name} ${v.fitted.description}`).join(' + ');
      return new CalibratedModel(served, table, 'auto', `auto: ${chosen.length > 1 ? 'mean of ' : ''}${label}`);
    },

    restore(serialized: SerializedModel) {
      if (serialized.model !== 'auto') throw new ModelError('auto', `cannot restore state of ${serialized.model}`);
      return restoreCalibrated(serialized, restoreCandidate);
    },
  };
}

export const auto: ModelFactory = createAuto();
