/**
 * Split-conformal calibration of forecast bands, usable around any fitted model.
 *
 * Input: signed out-of-sample errors per horizon step (from rolling origins on held-out history).
 * Per step h the half-width at level L is the empirical L-quantile of |error| over the origins,
 * pooled with neighbouring steps (few origins per step make single-step quantiles noisy) and
 * made non-decreasing in h. Beyond the calibrated horizon the last width is stretched by the
 * ratio of the wrapped model's own band widths. Widths are kept on a fixed grid of levels and
 * interpolated, so the serialised state stays small and any requested level works.
 */
import type { FittedModel, ForecastResult, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { normalQuantile, quantile } from '../util/stats.js';

/** levels the half-widths are stored at */
export const CALIBRATION_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99];

export interface CalibrationTable {
  levels: number[];
  /** halfWidth[h - 1][k] = half-width at step h for levels[k] */
  halfWidth: number[][];
}

/**
 * Build a table from `errors[h - 1]` = signed errors of h-step forecasts. Steps with no errors
 * borrow from their neighbours; undefined when there are too few errors overall.
 */
export function conformalTable(errors: number[][], minimumErrors = 10): CalibrationTable | undefined {
  const horizon = errors.length;
  const total = errors.reduce((s, e) => s + e.length, 0);
  if (horizon === 0 || total < minimumErrors) return undefined;
  const halfWidth: number[][] = [];
  let previous: number[] | undefined;
  for (let h = 1; h <= horizon; h++) {
    // pool steps within +-25% of h so each quantile rests on several origins
    const reach = Math.round(h / 4);
    const pooled: number[] = [];
    for (let j = Math.max(1, h - reach); j <= Math.min(horizon, h + reach); j++) {
      for (const e of errors[j - 1]) if (Number.isFinite(e)) pooled.push(Math.abs(e));
    }
    let row: number[];
    if (pooled.length < 3) {
      row = previous ? [...previous] : CALIBRATION_LEVELS.map(() => NaN);
    } else {
      pooled.sort((a, b) => a - b);
      // plain L-quantile: the errors of overlapping origins are correlated, so the usual
      // ceil((m + 1) L) / m correction over-covers in practice
      row = CALIBRATION_LEVELS.map((level) => quantile(pooled, level));
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
  return { levels: [...CALIBRATION_LEVELS], halfWidth };
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
    return `${this.label}, conformal bands (${this.table.halfWidth.length} steps)`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const calibrated = this.table.halfWidth.length;
    // the wrapped model's own 95% band gives the shape beyond the calibrated horizon
    const own = horizon > calibrated ? this.inner.forecast(horizon, [0.95]) : this.inner.forecast(horizon, []);
    const ownWidth = (h: number): number => own.intervals[0].upper[h - 1] - own.intervals[0].lower[h - 1];
    const point = own.point;
    const intervals = levels.map((level) => {
      const lower: number[] = [];
      const upper: number[] = [];
      for (let h = 1; h <= horizon; h++) {
        const row = this.table.halfWidth[Math.min(h, calibrated) - 1];
        let w = halfWidthAt(this.table, row, level);
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
  if (!s || !s.table || !s.inner || !Array.isArray(s.table.halfWidth)) {
    throw new ModelError(serialized.model, 'calibrated state lacks table or inner model');
  }
  return new CalibratedModel(restoreInner(s.inner), s.table, serialized.model, s.label);
}

/** A table holding a model's own band half-widths, for when there is too little history to calibrate. */
export function tableFromModel(fitted: FittedModel, horizon: number): CalibrationTable {
  const { point, intervals } = fitted.forecast(horizon, CALIBRATION_LEVELS);
  const halfWidth = point.map((p, i) => intervals.map((iv) => Math.max(0, (iv.upper[i] - iv.lower[i]) / 2)));
  return { levels: [...CALIBRATION_LEVELS], halfWidth };
}
