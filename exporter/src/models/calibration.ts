/**
 * Split-conformal calibration of forecast bands, usable around any fitted model.
 *
 * Input: signed out-of-sample errors per horizon step (actual - point, from rolling origins on
 * held-out history). Per step h the band at level L runs from the (1 - L) / 2 to the (1 + L) / 2
 * quantile of the errors (sided: a series that bursts upwards gets its width above the point,
 * where the interval score charges for it), pooled with neighbouring steps (few origins per step
 * make single-step quantiles noisy) and made non-decreasing in h. Symmetric tables (quantiles of
 * |error|) are what states written before sided ones hold, and a measured variant. Beyond the
 * calibrated horizon the last width is stretched by the ratio of the wrapped model's own band
 * widths. Widths are kept on a fixed grid of levels and on a grid of steps about 25% apart (the
 * pooling reach), and interpolated between, so the serialised state stays small at any step
 * (240 steps of 1-minute data keep 23 rows) and any requested level works. No distance is below
 * the series' width floor (resolution.ts): a band never collapses onto its point.
 */
import type { FittedModel, ForecastResult, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { normalQuantile, quantile } from '../util/stats.js';
import { widthFloor } from './resolution.js';
import { pooledErrors, sortedSteps } from './pooled-errors.js';

/** levels the widths are stored at */
export const CALIBRATION_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99];

export interface CalibrationTable {
  levels: number[];
  /** steps ahead the rows are kept at, ascending from 1 (states written before: every step) */
  steps?: number[];
  /** symmetric tables: halfWidth[r][k] = half-width at steps[r] for levels[k] */
  halfWidth?: number[][];
  /** sided tables: distance from the point down to the lower bound, and up to the upper one */
  below?: number[][];
  above?: number[][];
  /** no served distance is below this (the series' width floor, resolution.ts) */
  floor?: number;
  /** the wrapped model's own band distances (too little history to calibrate), not conformal ones */
  own?: boolean;
}

/** Every step up to 6, then steps about 25% apart up to `horizon` (always included). */
export function tableSteps(horizon: number): number[] {
  const steps: number[] = [];
  for (let h = 1; h <= horizon; h = Math.max(h + 1, Math.round(h * 1.25))) steps.push(h);
  if (steps[steps.length - 1] !== horizon) steps.push(horizon);
  return steps;
}

function stepsOf(table: CalibrationTable): number[] {
  return table.steps ?? (table.halfWidth ?? table.below!).map((_, i) => i + 1);
}

/** Last step the table covers. */
export function calibratedHorizon(table: CalibrationTable): number {
  const steps = stepsOf(table);
  return steps[steps.length - 1];
}

/** Distances below and above the point at one step, per table level. */
export interface TableRow {
  below: number[];
  above: number[];
}

function interpolateRow(rows: number[][], steps: number[], h: number): number[] {
  let r = 0;
  while (r + 1 < steps.length && steps[r + 1] <= h) r++;
  const row = rows[r];
  if (steps[r] >= h || r + 1 >= steps.length) return row;
  const next = rows[r + 1];
  const f = (h - steps[r]) / (steps[r + 1] - steps[r]);
  return row.map((w, k) => w + f * (next[k] - w));
}

/** The row at step `h` (<= the calibrated horizon), interpolated between rows. */
export function tableRow(table: CalibrationTable, h: number): TableRow {
  const steps = stepsOf(table);
  if (table.below && table.above) {
    return { below: interpolateRow(table.below, steps, h), above: interpolateRow(table.above, steps, h) };
  }
  const half = interpolateRow(table.halfWidth!, steps, h);
  return { below: half, above: half };
}

/** Distance at any level in (0, 1) from one side of a row (normal tails outside the table's levels). */
export function widthAt(table: CalibrationTable, side: number[], level: number): number {
  const { levels } = table;
  const last = levels.length - 1;
  if (level <= levels[0]) return side[0] * (normalQuantile(0.5 + level / 2) / normalQuantile(0.5 + levels[0] / 2));
  if (level >= levels[last])
    return side[last] * (normalQuantile(0.5 + level / 2) / normalQuantile(0.5 + levels[last] / 2));
  let k = 0;
  while (levels[k + 1] < level) k++;
  const f = (level - levels[k]) / (levels[k + 1] - levels[k]);
  return side[k] + f * (side[k + 1] - side[k]);
}

export interface ConformalOptions {
  /** fewer finite errors than this: no table (default 10) */
  minimumErrors?: number;
  /**
   * quantiles of the signed errors, or of |error| on both sides (default): the sided tails rest
   * on half as many errors each, and covered less on every data set (docs/benchmarks.md)
   */
  sided?: boolean;
  /**
   * Correct each quantile level for the number of independent errors behind it: the conformal
   * finite-sample correction L (n + 1) / n with n the effective number of independent errors of
   * each step (`effectiveSampleSize`) times `effectiveScale`. Errors of overlapping forecasts
   * from successive origins are correlated, the more so the longer the horizon, so a day of
   * 4-hour forecasts holds only a handful of independent ones; at full strength (scale 1) the
   * 95% level then reaches 1, the largest error of the day. Default true, at half strength
   * (`effectiveScale` 2): of none, 4x, 2x and full, the mildest that keeps coverage in the targets
   * on sources held out, where the interval score is lowest (docs/benchmarks.md).
   */
  overlapCorrection?: boolean;
  /** multiplier of the effective sample size in the correction (default 2; larger is milder) */
  effectiveScale?: number;
  /** no distance below this (the series' width floor, resolution.ts; default 0) */
  floor?: number;
  /** errors of steps within this share of h either side are pooled into step h's quantiles (default 0.25) */
  reach?: number;
}

/**
 * Effective number of independent values in a sequence of errors from successive origins,
 * n (1 - r) / (1 + r) with r its lag-one autocorrelation (the AR(1) approximation). Gaps (NaN)
 * are skipped.
 */
export function effectiveSampleSize(errors: ArrayLike<number>): number {
  let n = 0;
  let mean = 0;
  for (let i = 0; i < errors.length; i++) {
    const e = errors[i];
    if (e === e) {
      n++;
      mean += e;
    }
  }
  if (n < 3) return n;
  mean /= n;
  let c0 = 0;
  let c1 = 0;
  let prev = NaN;
  for (let i = 0; i < errors.length; i++) {
    const e = errors[i];
    if (e !== e) continue;
    c0 += (e - mean) ** 2;
    if (prev === prev) c1 += (e - mean) * (prev - mean);
    prev = e;
  }
  const r = c0 > 0 ? Math.min(0.99, Math.max(0, c1 / c0)) : 0;
  return Math.max(1, (n * (1 - r)) / (1 + r));
}

/**
 * Build a table from `errors[h - 1]` = signed errors of h-step forecasts. Steps with no errors
 * borrow from their neighbours; undefined when there are too few errors overall.
 */
export function conformalTable(errors: number[][], options: ConformalOptions = {}): CalibrationTable | undefined {
  const minimumErrors = options.minimumErrors ?? 10;
  const sided = options.sided ?? false;
  const floor = options.floor ?? 0;
  const horizon = errors.length;
  const sorted = sortedSteps(errors, !sided);
  const total = sorted.reduce((s, e) => s + e.length, 0);
  if (horizon === 0 || total < minimumErrors) return undefined;
  const steps = tableSteps(horizon);
  const below: number[][] = [];
  const above: number[][] = [];
  const none = CALIBRATION_LEVELS.map(() => NaN);
  for (const h of steps) {
    const pooled = pooledErrors(sorted, h, options.reach ?? 0.25);
    if (pooled.length < 3) {
      below.push(below.length > 0 ? [...below[below.length - 1]] : none);
      above.push(above.length > 0 ? [...above[above.length - 1]] : none);
      continue;
    }
    const independent =
      (options.overlapCorrection ?? true)
        ? effectiveSampleSize(errors[h - 1]) * (options.effectiveScale ?? 2)
        : Infinity;
    const corrected = (level: number): number =>
      Number.isFinite(independent) ? Math.min(1, (level * (independent + 1)) / independent) : level;
    const levels = CALIBRATION_LEVELS.map(corrected);
    if (sided) {
      below.push(levels.map((level) => -quantile(pooled, (1 - level) / 2)));
      above.push(levels.map((level) => quantile(pooled, (1 + level) / 2)));
    } else {
      const half = levels.map((level) => quantile(pooled, level));
      below.push(half);
      above.push(half);
    }
  }
  if (!below[0].every(Number.isFinite)) return undefined;
  for (const side of [below, above]) {
    // a point outside its own band helps no one: each distance is at least the floor; widths
    // should not shrink with the horizon, and isotonic regression (not a running max, which
    // would carry every upward blip of a noisy quantile forward) makes them non-decreasing
    for (let k = 0; k < CALIBRATION_LEVELS.length; k++) {
      const fitted = isotonicIncreasing(side.map((row) => Math.max(floor, row[k])));
      side.forEach((row, r) => (row[k] = roundUp(fitted[r])));
    }
  }
  const table: CalibrationTable = { levels: [...CALIBRATION_LEVELS], steps, floor };
  return sided ? { ...table, below, above } : { ...table, halfWidth: below };
}

/**
 * `w` up to 4 significant digits (never below it): a quantile of a few dozen errors is not known
 * better than that, and the stored table is half the size.
 */
export function roundUp(w: number): number {
  if (!(w > 0) || !Number.isFinite(w)) return w;
  const exponent = Math.floor(Math.log10(w)) - 3;
  const unit = 10 ** exponent;
  const digits = Math.ceil(w / unit);
  const r = digits * unit;
  // four digits times a power of ten, rounded once: the double that r.toPrecision(4) parses back
  // to, without the string (a table rounds 270 numbers; toPrecision was a fifth of its time);
  // powers of ten are exact doubles only up to 1e22
  const exact = digits >= 1000 && digits <= 9999 && Math.abs(exponent) <= 22;
  const shown = exact ? (exponent < 0 ? digits / 10 ** -exponent : digits * unit) : +r.toPrecision(4);
  return shown >= w ? shown : r;
}

/** Pool-adjacent-violators: the least-squares non-decreasing fit to `y`. */
export function isotonicIncreasing(y: number[]): number[] {
  const means = new Float64Array(y.length);
  const sizes = new Int32Array(y.length);
  let blocks = 0;
  for (const v of y) {
    means[blocks] = v;
    sizes[blocks] = 1;
    blocks++;
    while (blocks > 1 && means[blocks - 2] > means[blocks - 1]) {
      const m2 = means[blocks - 1];
      const s2 = sizes[blocks - 1];
      const m1 = means[blocks - 2];
      const s1 = sizes[blocks - 2];
      blocks--;
      means[blocks - 1] = (m1 * s1 + m2 * s2) / (s1 + s2);
      sizes[blocks - 1] = s1 + s2;
    }
  }
  const out: number[] = [];
  for (let b = 0; b < blocks; b++) for (let k = 0; k < sizes[b]; k++) out.push(means[b]);
  return out;
}

/** The same table with no distance below `floor` (for tables built without one). */
export function flooredTable(table: CalibrationTable, floor: number): CalibrationTable {
  if (!(floor > 0)) return table;
  const lift = (rows?: number[][]) => rows?.map((row) => row.map((w) => Math.max(floor, w)));
  const lifted = { ...table, floor: Math.max(floor, table.floor ?? 0) };
  return { ...lifted, halfWidth: lift(table.halfWidth), below: lift(table.below), above: lift(table.above) };
}

export class CalibratedModel implements FittedModel {
  constructor(
    readonly inner: FittedModel,
    readonly table: CalibrationTable,
    readonly name: string = inner.name,
    private readonly label: string = inner.description,
  ) {}

  get description(): string {
    const kind = this.table.own ? 'own bands' : 'conformal bands';
    return `${this.label}, ${kind} (${calibratedHorizon(this.table)} steps)`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const calibrated = calibratedHorizon(this.table);
    // the wrapped model's own 95% band gives the shape beyond the calibrated horizon
    const own = horizon > calibrated ? this.inner.forecast(horizon, [0.95]) : this.inner.forecast(horizon, []);
    const ownWidth = (h: number): number => own.intervals[0].upper[h - 1] - own.intervals[0].lower[h - 1];
    const point = own.point;
    const rows = Array.from({ length: Math.min(horizon, calibrated) }, (_, i) => tableRow(this.table, i + 1));
    const floor = this.table.floor ?? 0;
    const intervals = levels.map((level) => {
      const lower: number[] = [];
      const upper: number[] = [];
      for (let h = 1; h <= horizon; h++) {
        const row = rows[Math.min(h, calibrated) - 1];
        let stretch = 1;
        if (h > calibrated) {
          const base = ownWidth(calibrated);
          stretch = base > 0 ? Math.max(1, ownWidth(h) / base) : Math.sqrt(h / calibrated);
        }
        lower.push(point[h - 1] - Math.max(floor, stretch * widthAt(this.table, row.below, level)));
        upper.push(point[h - 1] + Math.max(floor, stretch * widthAt(this.table, row.above, level)));
      }
      return { level, lower, upper };
    });
    return { point, intervals };
  }

  update(values: ArrayLike<number>): void {
    this.inner.update(values);
  }

  toJSON(): SerializedModel {
    const state = { label: this.label, table: this.table, inner: this.inner.toJSON() };
    return { model: this.name, version: 1, state };
  }
}

/** Rebuild a CalibratedModel from `toJSON()` output; `restoreInner` restores the wrapped model. */
export function restoreCalibrated(
  serialized: SerializedModel,
  restoreInner: (inner: SerializedModel) => FittedModel,
): CalibratedModel {
  const s = serialized.state as {
    label?: string;
    table?: CalibrationTable;
    inner?: SerializedModel;
  };
  const t = s?.table;
  const sides = t?.below && t?.above ? [t.below, t.above] : [t?.halfWidth];
  const length = sides[0]?.length;
  const valid =
    sides.every((rows) => Array.isArray(rows) && rows.length === length) &&
    (t?.steps === undefined || t.steps.length === length);
  if (!s || !s.inner || !t || !valid) {
    throw new ModelError(serialized.model, 'calibrated state lacks table or inner model');
  }
  return new CalibratedModel(restoreInner(s.inner), t, serialized.model, s.label);
}

/**
 * A table holding a model's own band distances (no less than `floor`), for when there is too
 * little history to calibrate.
 */
export function tableFromModel(fitted: FittedModel, horizon: number, floor = 0): CalibrationTable {
  const { point, intervals } = fitted.forecast(horizon, CALIBRATION_LEVELS);
  const steps = tableSteps(horizon);
  const side = (distance: (iv: ForecastResult['intervals'][number], i: number) => number) =>
    steps.map((h) => intervals.map((iv) => Math.max(floor, distance(iv, h - 1))));
  return {
    levels: [...CALIBRATION_LEVELS],
    steps,
    floor,
    own: true,
    below: side((iv, i) => point[i] - iv.lower[i]),
    above: side((iv, i) => iv.upper[i] - point[i]),
  };
}

/**
 * The served model: `model` with the conformal table of `errors` (validation.ts), no distance
 * below the series' width floor; with too few errors, the model's own bands, floored.
 */
export function calibrateOnErrors(
  model: FittedModel,
  errors: number[][] | undefined,
  series: { values: ArrayLike<number>; step: number },
  options: ConformalOptions,
  name: string,
  label?: string,
): CalibratedModel {
  const floor = widthFloor(series.values);
  const horizon = errors?.length ?? Math.max(1, Math.round(14400 / series.step));
  const table = (errors && conformalTable(errors, { ...options, floor })) ?? tableFromModel(model, horizon, floor);
  return new CalibratedModel(model, table, name, label ?? model.description);
}
