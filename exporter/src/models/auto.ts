/**
 * `auto`, the default model: per series, validate a small set of cheap candidates on rolling
 * origins over the last day of history (validation.ts), serve for the first hour the candidate
 * with the lowest error over that hour's steps, and after it the mean of the two with the lowest
 * error over the whole horizon (just the best when the second is more than 1.5 times worse), and
 * calibrate its bands on that same validation's errors of what is served (split-conformal; see
 * calibration.ts). Errors are averaged per origin first, so the latest origins (whose later
 * steps have no actual yet) count as much as the others. Leave-one-source-out validation chose
 * each of these (docs/benchmarks.md).
 *
 * Candidates are the last value (strong on bursty series), seasonal naive, ets, sarima, the
 * median of the last hour and the last value decaying to that median: all fit in a few
 * milliseconds, which keeps auto under 10 ms per series on a week of 5-minute data. Slower
 * registered models (mstl, prophet, lstm) are deliberately not candidates (lstm measured:
 * bench/forecast-lstm.ts). Too short a history (less than three validation horizons) falls back
 * to the last value with its own bands.
 *
 * The options are the alternatives bench/forecast-variants.ts measures; the defaults are what
 * leave-one-source-out validation kept (docs/benchmarks.md).
 */
import type { FitOptions, FittedModel, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { seasonalNaive } from './seasonal-naive.js';
import { ets } from './ets.js';
import { sarima } from './sarima.js';
import { recentMedian } from './auto/recent-median.js';
import { medianReversion } from './auto/median-reversion.js';
import {
  CalibratedModel,
  calibrateOnErrors,
  restoreCalibrated,
  tableFromModel,
  type ConformalOptions,
} from './calibration.js';
import { widthFloor } from './resolution.js';
import { validateOnTail, type TailCandidate, type TailValidation } from './validation.js';
import { WeightedModel, restoreWeighted, weightedErrors, type EarlyWeights } from './weighted.js';

export const AUTO_CANDIDATES: TailCandidate[] = [
  { name: 'naive', factory: seasonalNaive, fitOptions: { seasonLengths: [1] } },
  { name: 'seasonal_naive', factory: seasonalNaive },
  { name: 'ets', factory: ets },
  { name: 'sarima', factory: sarima },
  { name: 'recent_median', factory: recentMedian },
  { name: 'median_reversion', factory: medianReversion },
];

/** inner models by the name they serialise under */
const RESTORERS: Record<string, ModelFactory> = {
  seasonal_naive: seasonalNaive,
  ets,
  sarima,
  recent_median: recentMedian,
  median_reversion: medianReversion,
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
  /** ...and at least this many validation origins (hourly data: a day is only 24) */
  minOrigins: number;
  maxShare: number;
  /** the most recent part of the window the choice is made on, seconds (<= windowSeconds) */
  selectSeconds: number;
  /** how the conformal table is built from the validation errors (calibration.ts) */
  calibration: ConformalOptions;
  /** serve the equal-weight mean of up to this many of the best candidates... */
  combine: number;
  /** ...those whose validation error is within this multiple of the best's */
  combineWithin: number;
  /** for the first this many seconds, serve the single best over those steps instead (0: no split) */
  earlySeconds: number;
  /** average errors per origin, then over origins ('origin'), or over every scored step ('step') */
  errorWeighting: 'origin' | 'step';
  /** candidates left out (measured variants) */
  exclude: string[];
  /** candidates added (measured variants, bench/forecast-variants.ts) */
  extra: TailCandidate[];
}

export const AUTO_DEFAULTS: AutoOptions = {
  horizonSeconds: 14400,
  windowSeconds: 86400,
  minOrigins: 0,
  maxShare: 1 / 3,
  selectSeconds: 86400,
  calibration: {},
  combine: 2,
  combineWithin: 1.5,
  earlySeconds: 3600,
  errorWeighting: 'origin',
  exclude: [],
  extra: [],
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
  options: Pick<AutoOptions, 'horizonSeconds' | 'windowSeconds' | 'maxShare' | 'minOrigins'> = AUTO_DEFAULTS,
): ValidationPlan | undefined {
  const horizon = Math.max(1, Math.round(options.horizonSeconds / step));
  const stride = Math.max(1, Math.round(horizon / 8));
  const wanted = Math.max(Math.round(options.windowSeconds / step), (options.minOrigins ?? 0) * stride);
  const window = Math.min(wanted, Math.floor(length * options.maxShare));
  if (window < horizon || length - window < 2 * horizon) return undefined;
  return { horizon, window, stride };
}

/** Validation of every candidate on the tail, or undefined when the history is too short. */
export async function validateCandidates(
  series: SeriesInput,
  options: FitOptions = {},
  autoOptions: AutoOptions = AUTO_DEFAULTS,
): Promise<{ plan: ValidationPlan; validations: TailValidation[] } | undefined> {
  const plan = validationPlan(series.values.length, series.step, autoOptions);
  if (!plan) return undefined;
  const candidates = [...AUTO_CANDIDATES, ...(autoOptions.extra ?? [])]
    .filter((c) => !autoOptions.exclude.includes(c.name))
    .map((c) => ({
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
  const table = tableFromModel(fitted, horizon, widthFloor(series.values));
  return new CalibratedModel(fitted, table, name, `${name}: last value (short history)`);
}

/**
 * Mean absolute error of steps 1..`steps` over the last `origins` validation origins (all when
 * more): per origin first, then over origins ('origin'), or pooled over every step ('step').
 */
export function recentError(
  errors: number[][],
  origins: number,
  steps = errors.length,
  weighting: AutoOptions['errorWeighting'] = 'step',
): number {
  let sum = 0;
  let count = 0;
  const total = errors[0]?.length ?? 0;
  for (let k = Math.max(0, total - origins); k < total; k++) {
    let s = 0;
    let n = 0;
    for (let h = 0; h < steps; h++) {
      const e = errors[h][k];
      if (e === e) {
        s += Math.abs(e);
        n++;
      }
    }
    if (n === 0) continue;
    if (weighting === 'origin') {
      sum += s / n;
      count++;
    } else {
      sum += s;
      count += n;
    }
  }
  return count > 0 ? sum / count : NaN;
}

/** The candidates of least error, best first: up to `combine`, within `within` times the best. */
function best(
  validations: TailValidation[],
  error: (v: TailValidation) => number,
  combine: number,
  within: number,
): TailValidation[] {
  const ranked = validations
    .map((v) => ({ v, e: error(v) }))
    .filter((r) => Number.isFinite(r.e))
    .sort((a, b) => a.e - b.e);
  if (ranked.length === 0) return [validations[0]];
  return ranked
    .slice(0, Math.max(1, combine))
    .filter((r, i) => i === 0 || r.e <= within * ranked[0].e)
    .map((r) => r.v);
}

export function createAuto(overrides: Partial<AutoOptions> = {}): ModelFactory {
  const o: AutoOptions = { ...AUTO_DEFAULTS, ...overrides };
  return {
    name: 'auto',
    summary:
      'per series, the best of naive / seasonal naive / ets / sarima / recent medians on tail validation, conformal bands',
    selfCalibrated: true,

    async fit(series: SeriesInput, options = {}) {
      const validated = await validateCandidates(series, options, o);
      if (!validated) return naiveFallback(series, 'auto');
      const { plan, validations } = validated;
      const origins = Math.ceil(Math.round(o.selectSeconds / series.step) / plan.stride);
      const early = Math.min(plan.horizon - 1, Math.round(o.earlySeconds / series.step));
      const error = (steps: number) => (v: TailValidation) => recentError(v.errors, origins, steps, o.errorWeighting);
      const late = best(validations, error(plan.horizon), o.combine, o.combineWithin);
      const first = early > 0 ? best(validations, error(early), 1, Infinity) : late;
      const members = [...new Set([...first, ...late])];
      const weightsOf = (chosen: TailValidation[]) => members.map((v) => (chosen.includes(v) ? 1 / chosen.length : 0));
      const split: EarlyWeights | undefined =
        first === late || (first.length === 1 && late.length === 1 && first[0] === late[0])
          ? undefined
          : { steps: early, weights: weightsOf(first) };
      const weights = weightsOf(late);
      const served =
        members.length === 1
          ? members[0].fitted
          : new WeightedModel(
              members.map((v, i) => ({ weight: weights[i], model: v.fitted })),
              'weighted',
              split,
            );
      const errors =
        members.length === 1
          ? members[0].errors
          : weightedErrors(
              members.map((v) => v.errors),
              weights,
              split,
            );
      const describe = (chosen: TailValidation[]) =>
        `${chosen.length > 1 ? 'mean of ' : ''}${chosen.map((v) => `${v.name} ${v.fitted.description}`).join(' + ')}`;
      const description = split
        ? `auto: ${describe(first)} for ${early} steps, then ${describe(late)}`
        : `auto: ${describe(late)}`;
      return calibrateOnErrors(served, errors, series, o.calibration, 'auto', description);
    },

    restore(serialized: SerializedModel) {
      if (serialized.model !== 'auto') throw new ModelError('auto', `cannot restore state of ${serialized.model}`);
      return restoreCalibrated(serialized, restoreCandidate);
    },
  };
}

export const auto: ModelFactory = createAuto();
