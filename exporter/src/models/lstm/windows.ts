/**
 * Turning series into training windows for the global LSTM. Pure functions.
 *
 * Each series is standardised by its own robust location and scale (median, MAD), so one network
 * serves series of any magnitude. Everything is expressed as a delta to the window's last value,
 * which makes the network indifferent to level shifts: the input window, the seasonal reference
 * (the value one season before each output step, or 0 = "no change" when there is no season) and
 * the targets.
 */
import { median } from '../../util/stats.js';

/** Scaled inputs and targets are clipped here: one wild spike should not dominate a batch. */
export const CLIP = 10;

export interface Scaling {
  location: number;
  scale: number;
}

export function robustScaling(values: ArrayLike<number>): Scaling {
  const location = median(values);
  const deviations = Array.from(values, (v) => Math.abs(v - location));
  let scale = 1.4826 * median(deviations);
  if (!(scale > 0)) {
    // MAD is 0 when most points are equal (e.g. an idle counter): fall back to the std
    let s = 0;
    let n = 0;
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) {
        s += (values[i] - location) ** 2;
        n++;
      }
    }
    scale = n > 1 ? Math.sqrt(s / (n - 1)) : 0;
  }
  return { location: Number.isFinite(location) ? location : 0, scale: scale > 0 ? scale : 1 };
}

export function clip(x: number): number {
  return x > CLIP ? CLIP : x < -CLIP ? -CLIP : x;
}

export interface WindowShape {
  window: number;
  outputs: number;
  /** season in steps for the reference input; 0 = none */
  season: number;
}

/** Index of the latest past point in the same season phase as step `t + k` (k >= 1). */
export function referenceIndex(t: number, k: number, season: number): number {
  return t + k - season * Math.ceil(k / season);
}

/**
 * Input window and seasonal reference for a forecast made after index `t` of the standardised,
 * gap-filled series `z`, as deltas to z[t]. Assumes t >= window - 1 and, with a season, t >= season - 1.
 */
export function encode(
  z: ArrayLike<number>,
  t: number,
  shape: WindowShape,
): { input: Float64Array; reference: Float64Array } {
  const last = z[t];
  const input = new Float64Array(shape.window);
  for (let i = 0; i < shape.window; i++) input[i] = clip(z[t - shape.window + 1 + i] - last);
  const reference = new Float64Array(shape.outputs);
  if (shape.season > 0) {
    for (let k = 1; k <= shape.outputs; k++) reference[k - 1] = clip(z[referenceIndex(t, k, shape.season)] - last);
  }
  return { input, reference };
}

/** Earliest forecast origin index a series supports with this shape. */
export function firstOrigin(shape: WindowShape): number {
  return Math.max(shape.window, shape.season) - 1;
}

/**
 * Origins (index of the last input point) whose targets are all observed, split by time: the
 * last `validationShare` of them validate, the rest train. `observed[i]` is false for a gap.
 */
export function splitOrigins(
  observed: ArrayLike<boolean>,
  shape: WindowShape,
  validationShare: number,
): { train: number[]; validation: number[] } {
  const n = observed.length;
  const origins: number[] = [];
  for (let t = firstOrigin(shape); t + shape.outputs < n; t++) {
    let complete = observed[t];
    for (let k = 1; k <= shape.outputs && complete; k++) complete = observed[t + k];
    if (complete) origins.push(t);
  }
  const cut = Math.floor(origins.length * (1 - validationShare));
  // validation targets start after the last training target ends: no overlap between the two
  const lastTrainTarget = cut > 0 ? origins[cut - 1] + shape.outputs : -1;
  return {
    train: origins.slice(0, cut),
    validation: origins.slice(cut).filter((t) => t >= lastTrainTarget),
  };
}

/** At most `count` items spread evenly over `items` (keeps time coverage, deterministic). */
export function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(items[Math.floor((i * items.length) / count)]);
  return out;
}
