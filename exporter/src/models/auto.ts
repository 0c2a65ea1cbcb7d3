/**
 * `auto`, the default model: per series, validate a small set of cheap candidates on rolling
 * origins over the last day of history, keep the one with the lowest validation error, and
 * calibrate its bands on that same validation's errors (split-conformal, see calibration.ts).
 *
 * Candidates are the last value (strong on bursty series), seasonal naive, ets and sarima: all
 * fit in a few milliseconds, which keeps auto well under 50 ms per series. Slower registered
 * models (mstl, prophet, lstm) are deliberately not candidates. Too short a history (less than
 * three validation horizons) falls back to the last value with its own bands.
 */
import type { FitOptions, FittedModel, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { seasonalNaive } from './seasonal-naive.js';
import { ets } from './ets.js';
import { sarima } from './sarima.js';
import { recentMedian } from './auto/recent-median.js';
import { CalibratedModel, conformalTable, restoreCalibrated, tableFromModel } from './calibration.js';
import { validateOnTail, type TailCandidate, type TailValidation } from '../evaluation/rolling-origin.js';

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
  const factory = Object.hasOwn(RESTORERS, inner.model) ? RESTORERS[inner.model] : undefined;
  if (!factory) throw new ModelError('auto', `unknown inner model ${inner.model}`);
  return factory.restore(inner);
}

export interface ValidationPlan {
  /** validated horizon in steps (4 hours) */
  horizon: number;
  /** validation window in steps (one day, at most a third of the history) */
  window: number;
  /** steps between validation origins */
  stride: number;
}

export function validationPlan(length: number, step: number): ValidationPlan | undefined {
  const horizon = Math.max(1, Math.round(14400 / step));
  const window = Math.min(Math.round(86400 / step), Math.floor(length / 3));
  if (window < horizon || length - window < 2 * horizon) return undefined;
  return { horizon, window, stride: Math.max(1, Math.round(horizon / 8)) };
}

/** Validation of every candidate on the tail, or undefined when the history is too short. */
export async function validateCandidates(
  series: SeriesInput,
  options: FitOptions = {},
): Promise<{ plan: ValidationPlan; validations: TailValidation[] } | undefined> {
  const plan = validationPlan(series.values.length, series.step);
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

export const auto: ModelFactory = {
  name: 'auto',
  summary: 'per series, the best of naive / seasonal naive / ets / sarima on tail validation, conformal bands',

  async fit(series: SeriesInput, options = {}) {
    const validated = await validateCandidates(series, options);
    if (!validated) return naiveFallback(series, 'auto');
    const best = validated.validations.reduce((a, b) => (b.mae < a.mae ? b : a));
    const table = conformalTable(best.errors) ?? tableFromModel(best.fitted, validated.plan.horizon);
    return new CalibratedModel(best.fitted, table, 'auto', `auto: ${best.name} ${best.fitted.description}`);
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== 'auto') throw new ModelError('auto', `cannot restore state of ${serialized.model}`);
    return restoreCalibrated(serialized, restoreCandidate);
  },
};
