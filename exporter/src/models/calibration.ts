/**
 * Split-conformal calibration of forecast bands, usable around any fitted model.
 *
 * Input: signed out-of-sample errors per horizon step (from rolling origins on held-out history).
 * Per step h the half-width at level L is the empirical L-quantile of |error| over the origins,
 * pooled with neighbouring steps (few origins per step make single-step quantiles noisy) and
 * made non-decreasing in h. Beyond the calibrated horizon the last width is stretched by the
 * ratio of the wrapped model's own band widths. Widths are kept on a fixed grid of levels and on
 * a grid of steps about 25% apart (the pooling reach), and interpolated between, so the
 * serialised state stays small at any step (240 steps of 1-minute data keep 23 rows) and any
 * requested level works.
 */
import type { FittedModel, ForecastResult, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { normalQuantile, quantile } from '../util/stats.js';

/** levels the half-widths are stored at */
export const CALIBRATION_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99];

export interface CalibrationTable {
  levels: number[];
  /** steps ahead the rows are kept at, ascending from 1 (states written before: every step) */
  steps?: number[];
  /** halfWidth[r][k] = half-width at steps[r] for levels[k] */
  halfWidth: number[][];
}

/** Every step up to 6, then steps about 25% apart up to `horizon` (always included). */
export function tableSteps(horizon: number): number[] {
  const steps: number[] = [];
  for (let h = 1; h <= horizon; h = Math.max(h + 1, Math.round(h * 1.25))) steps.push(h);
  if (steps[steps.length - 1] !== horizon) steps.push(horizon);
  return steps;
}

function stepsOf(table: CalibrationTable): number[] {
  return table.steps ?? table.halfWidth.map((_, i) => i + 1);
}

/** Last step the table covers. */
export function calibratedHorizon(table: CalibrationTable): number {
  const steps = stepsOf(table);
  return steps[steps.length - 1];
}

/** The row of half-widths at step `h` (<= the calibrated horizon), interpolated between rows. */
export function halfWidthRow(table: CalibrationTable, h: number): number[] {
  const steps = stepsOf(table);
  let r = 0;
  while (r + 1 < steps.length && steps[r + 1] <= h) r++;
  const row = table.halfWidth[r];
  if (steps[r] >= h || r + 1 >= steps.length) return row;
  const next = table.halfWidth[r + 1];
  const f = (h - steps[r]) / (steps[r + 1] - steps[r]);
  return row.map((w, k) => w + f * (next[k] - w));
}

/**
 * Build a table from `errors[h - 1]` = signed errors of h-step forecasts. Steps with no errors
 * borrow from their neighbours; undefined when there are too few errors overall.
 */
export interface ConformalOptions {
  /** fewer finite errors than this: no table (default 10) */
  minimumErrors?: number;
  /**
   * Correct each quantile level for the number of independent errors behind it (default true).
   * Errors of overlapping forecasts from successive origins are correlated, the more so the
   * longer the horizon, so a day of 4-hour forecasts holds only a handful of independent ones;
   * the level gets the conformal finite-sample correction L (n + 1) / n for the effective n of
   * each step's errors (`effectiveSampleSize`). Without it the bands under-covered on every data
   * set and step we tried (95% at 4 h: 0.87-0.93; see docs/benchmarks.md).
   */
  overlapCorrection?: boolean;
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

export function conformalTable(errors: number[][], options: ConformalOptions = {}): CalibrationTable | undefined {
  const minimumErrors = options.minimumErrors ?? 10;
  const horizon = errors.length;
  const total = errors.reduce((s, e) => s + e.filter(Number.isFinite).length, 0);
  if (horizon === 0 || total < minimumErrors) return undefined;
  const steps = tableSteps(horizon);
  const halfWidth: number[][] = [];
  let previous: number[] | undefined;
  for (const h of steps) {
    // pool steps within +-25% of h so each quantile rests on several origins
    const reach = Math.round(h / 4);
    const from = Math.max(1, h - reach);
    const to = Math.min(horizon, h + reach);
    let size = 0;
    for (let j = from; j <= to; j++) size += errors[j - 1].length;
    // a typed array sorts numerically without a comparator, several times faster than number[]
    let pooled = new Float64Array(size);
    let m = 0;
    for (let j = from; j <= to; j++) for (const e of errors[j - 1]) if (Number.isFinite(e)) pooled[m++] = Math.abs(e);
    pooled = pooled.subarray(0, m);
    let row: number[];
    if (pooled.length < 3) {
      row = previous ? [...previous] : CALIBRATION_LEVELS.map(() => NaN);
    } else {
      pooled.sort();
      const independent = options.overlapCorrection === false ? 0 : effectiveSampleSize(errors[h - 1]);
      const corrected = (level: number): number =>
        independent > 0 ? Math.min(1, (level * (independent + 1)) / independent) : level;
      row = CALIBRATION_LEVELS.map((level) => quantile(pooled, corrected(level)));
    }
    if (previous) row = row.map((w, k) => (Number.isFinite(w) ? w : previous![k]));
    halfWidth.push(row);
    previous = row;
  }
  if (!halfWidth[0].every(Number.isFinite)) return undefined;
  // widths should not shrink with the horizon; isotonic regression (not a running max, which
  // would carry every upward blip of a noisy quantile forward) makes them non-decreasing
  for (let k = 0; k < CALIBRATION_LEVELS.length; k++) {
    const fitted = isotonicIncreasing(halfWidth.map((row) => row[k]));
    halfWidth.forEach((row, h) => (row[k] = fitted[h]));
  }
  return { levels: [...CALIBRATION_LEVELS], steps, halfWidth };
}

/** Pool-adjacent-violators: the least-squares non-decreasing fit to `y`. */
export function isotonicIncreasing(y: number[]): number[] {
  const means: number[] = [];
  const sizes: number[] = [];
  for (const v of y) {
    means.push(v);
    sizes.push(1);
    while (means.length > 1 && means[means.length - 2] > means[means.length - 1]) {
      const m2 = means.pop()!;
      const s2 = sizes.pop()!;
      const m1 = means.pop()!;
      const s1 = sizes.pop()!;
      means.push((m1 * s1 + m2 * s2) / (s1 + s2));
      sizes.push(s1 + s2);
    }
  }
  return means.flatMap((m, i) => new Array<number>(sizes[i]).fill(m));
}

/** Half-width for any level in (0, 1) from one row of the table. */
export function halfWidthAt(table: CalibrationTable, row: number[], level: number): number {
  const { levels } = table;
  const last = levels.length - 1;
  if (level <= levels[0]) return row[0] * (normalQuantile(0.5 + level / 2) / normalQuantile(0.5 + levels[0] / 2));
  if (level >= levels[last])
    return row[last] * (normalQuantile(0.5 + level / 2) / normalQuantile(0.5 + levels[last] / 2));
  let k = 0;
  while (levels[k + 1] < level) k++;
  const f = (level - levels[k]) / (levels[k + 1] - levels[k]);
  return row[k] + f * (row[k + 1] - row[k]);
}

export class CalibratedModel implements FittedModel {
  constructor(
    readonly inner: FittedModel,
    readonly table: CalibrationTable,
    readonly name: string = inner.name,
    private readonly label: string = inner.description,
  ) {}

  get description(): string {
    return `${this.label}, conformal bands (${calibratedHorizon(this.table)} steps)`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const calibrated = calibratedHorizon(this.table);
    // the wrapped model's own 95% band gives the shape beyond the calibrated horizon
    const own = horizon > calibrated ? this.inner.forecast(horizon, [0.95]) : this.inner.forecast(horizon, []);
    const ownWidth = (h: number): number => own.intervals[0].upper[h - 1] - own.intervals[0].lower[h - 1];
    const point = own.point;
    const rows = Array.from({ length: Math.min(horizon, calibrated) }, (_, i) => halfWidthRow(this.table, i + 1));
    const intervals = levels.map((level) => {
      const lower: number[] = [];
      const upper: number[] = [];
      for (let h = 1; h <= horizon; h++) {
        let w = halfWidthAt(this.table, rows[Math.min(h, calibrated) - 1], level);
        if (h > calibrated) {
          const base = ownWidth(calibrated);
          w *= base > 0 ? Math.max(1, ownWidth(h) / base) : Math.sqrt(h / calibrated);
        }
        lower.push(point[h - 1] - w);
        upper.push(point[h - 1] + w);
      }
      return { level, lower, upper };
    });
    return { point, intervals };
  }

  update(values: ArrayLike<number>): void {
    this.inner.update(values);
  }

  toJSON(): SerializedModel {
    return {
      model: this.name,
      version: 1,
      state: { label: this.label, table: this.table, inner: this.inner.toJSON() },
    };
  }
}

/** Rebuild a CalibratedModel from `toJSON()` output; `restoreInner` restores the wrapped model. */
export function restoreCalibrated(
  serialized: SerializedModel,
  restoreInner: (inner: SerializedModel) => FittedModel,
): CalibratedModel {
  const s = serialized.state as { label?: string; table?: CalibrationTable; inner?: SerializedModel };
  const rows = s?.table?.halfWidth;
  const steps = s?.table?.steps;
  if (!s || !s.inner || !Array.isArray(rows) || (steps !== undefined && steps.length !== rows.length)) {
    throw new ModelError(serialized.model, 'calibrated state lacks table or inner model');
  }
  return new CalibratedModel(restoreInner(s.inner), s.table!, serialized.model, s.label);
}

/** A table holding a model's own band half-widths, for when there is too little history to calibrate. */
export function tableFromModel(fitted: FittedModel, horizon: number): CalibrationTable {
  const { intervals } = fitted.forecast(horizon, CALIBRATION_LEVELS);
  const steps = tableSteps(horizon);
  const halfWidth = steps.map((h) => intervals.map((iv) => Math.max(0, (iv.upper[h - 1] - iv.lower[h - 1]) / 2)));
  return { levels: [...CALIBRATION_LEVELS], steps, halfWidth };
}
