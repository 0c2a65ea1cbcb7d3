/**
 * Options and state of the online calibration (adaptive-calibration.ts): what a config can set,
 * the defaults leave-one-source-out validation chose, and the plain JSON a calibrator saves.
 */
import { ModelError } from './types.js';

export const NAME = 'adaptive-calibration';
export const VERSION = 1;
const WEEK = 7 * 86400;

export interface AdaptiveCalibrationOptions {
  /** grid step in seconds */
  step: number;
  /** calibrated horizons in steps ahead, e.g. [12, 48] for 1 h and 4 h at 5 minutes */
  horizons: number[];
  /** calibrated levels in (0, 1), e.g. [0.8, 0.95] */
  levels: number[];
  /** seconds of history the scores cover (default one week) */
  windowSeconds?: number;
  /** most scores kept per horizon (default 256) */
  capacity?: number;
  /**
   * adaptive step of the quantile level per scored forecast (default 0.02: with 0.05, and 1x,
   * 2x and 4x the effective sample, the lowest MSIS95 inside the coverage targets on sources held
   * out in the live replay of bench/forecast-calibration.ts)
   */
  gamma?: number;
  /** least seconds between recorded forecasts (default: the window spread over the capacity) */
  sampleSeconds?: number;
  /** multiplier of the effective sample size in the quantile's finite-sample correction (default 4) */
  effectiveScale?: number;
  /**
   * 'ratio': a miss is scored as error / half-width and the served half-widths are multiplied by
   * the quantile; 'excess' (conformalised quantile regression, Romano et al. 2019): a miss is
   * scored as how far outside the band the actual fell (negative inside), and the quantile is
   * added to both half-widths (default). Ratios explode when a model's band is briefly near zero
   * (a flat day) and then multiply a normal band by millions; excesses do not (live replay:
   * MSIS95 13.8 / 17.0 at 1 h / 4 h against 366 / 521 with ratios, bench/forecast-calibration.ts).
   */
  score?: 'ratio' | 'excess';
}

export type Resolved = Required<AdaptiveCalibrationOptions>;

export interface AdaptiveCalibrationState {
  version: number;
  options: Resolved;
  lastRecorded: number;
  /** quantum of the observed values (absent in states written before the width floor) */
  resolution?: { exponent: number; top: number };
  /** the unit excess scores are stored in */
  unit?: number;
  tracks: Array<{
    pending: { target: number[]; point: number[]; up: number[]; down: number[]; served: number[] };
    /** base64 of the Float32 scores, oldest first */
    scores: string;
    offset: number[];
  }>;
}

export function resolveOptions(o: AdaptiveCalibrationOptions): Resolved {
  const horizons = [...o.horizons].sort((a, b) => a - b);
  if (!(o.step > 0)) throw new ModelError(NAME, `step must be positive, got ${o.step}`);
  if (horizons.length === 0 || horizons.some((h) => !Number.isInteger(h) || h < 1))
    throw new ModelError(NAME, `horizons must be positive whole steps, got ${o.horizons.join(',')}`);
  if (o.levels.length === 0 || o.levels.some((l) => !(l > 0 && l < 1)))
    throw new ModelError(NAME, `levels must lie in (0, 1), got ${o.levels.join(',')}`);
  const windowSeconds = o.windowSeconds ?? WEEK;
  const capacity = Math.max(16, Math.round(o.capacity ?? 256));
  const sampleSeconds = o.sampleSeconds ?? o.step * Math.max(1, Math.ceil(windowSeconds / o.step / capacity));
  return {
    step: o.step,
    horizons,
    levels: [...o.levels].sort((a, b) => a - b),
    windowSeconds,
    capacity: Math.min(capacity, Math.max(16, Math.ceil(windowSeconds / sampleSeconds))),
    gamma: o.gamma ?? 0.02,
    sampleSeconds,
    effectiveScale: o.effectiveScale ?? 4,
    score: o.score ?? 'excess',
  };
}
