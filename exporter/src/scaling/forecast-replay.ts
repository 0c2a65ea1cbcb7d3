/**
 * Causal replay of a forecasting model over a recorded series, the way the live exporter runs it:
 * fit on a bounded window of recent history every refit interval, absorb each new point with
 * `update()` in between, and forecast the next few steps after every point. The forecast made
 * after row i depends on rows 0..i only, so the scale metric computed from it is exactly what the
 * live scaler would have returned then. `planTrack` turns the forecasts into scale metrics with
 * the same planner the live scaler calls.
 */
import type { FittedModel, ModelFactory } from '../models/types.js';
import { planScaleMetric, type PlannerInput, type PlannerPolicy } from './planner.js';

export interface ReplayOptions {
  model: ModelFactory;
  /** forecast steps kept per row (the longest lead window needed) */
  horizon: number;
  /** band levels kept per row */
  levels: number[];
  /** steps of history each fit sees (the exporter's lookback) */
  fitWindow: number;
  /** steps between refits once the history fills the window (the exporter's refit interval) */
  refitEvery: number;
  /** called once per failed fit; the previous fitted model (if any) stays in use */
  onFitError?: (slot: number, err: Error) => void;
}

/** Per-row forecasts on flat arrays: `point[i * horizon + k]` is step k + 1 after row i (NaN: none). */
export interface ForecastTrack {
  step: number;
  horizon: number;
  levels: number[];
  observed: Float64Array;
  point: Float64Array;
  lower: Float64Array[];
  upper: Float64Array[];
  fits: number;
  fitFailures: number;
  fitSeconds: number;
}

/** Rows already placed on a regular grid: row i is the observation `values[i]` at grid slot `slots[i]`. */
export interface GriddedRows {
  step: number;
  /** unix seconds of slot 0 */
  start: number;
  slots: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** When to fit: the first finite points, then each doubling of a short history, then every `refitEvery`. */
function dueForFit(slot: number, lastFit: number, lastLength: number, finite: number, o: ReplayOptions): boolean {
  if (lastFit < 0) return finite >= 2;
  const length = Math.min(slot + 1, o.fitWindow);
  if (lastLength < o.fitWindow && length >= 2 * lastLength) return true;
  return slot - lastFit >= o.refitEvery;
}

export async function replayForecasts(rows: GriddedRows, o: ReplayOptions): Promise<ForecastTrack> {
  const n = rows.values.length;
  const H = o.horizon;
  const track: ForecastTrack = {
    step: rows.step,
    horizon: H,
    levels: [...o.levels],
    observed: new Float64Array(n),
    point: new Float64Array(n * H).fill(NaN),
    lower: o.levels.map(() => new Float64Array(n * H).fill(NaN)),
    upper: o.levels.map(() => new Float64Array(n * H).fill(NaN)),
    fits: 0,
    fitFailures: 0,
    fitSeconds: 0,
  };
  const lastSlot = n > 0 ? rows.slots[n - 1] : -1;
  // the history as known so far; slots after the current row stay NaN, so a fit cannot see them
  const seen = new Float64Array(lastSlot + 1).fill(NaN);
  let model: FittedModel | undefined;
  let absorbed = -1; // last slot the model has seen
  let lastFit = -1;
  let lastLength = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const slot = rows.slots[i];
    const v = rows.values[i];
    const isNew = slot > absorbed;
    // duplicates keep the last finite value (as toGrid does); the model already absorbed the first
    if (Number.isFinite(v) || !Number.isFinite(seen[slot])) seen[slot] = v;
    if (Number.isFinite(v)) finite++;
    track.observed[i] = v;
    if (isNew && dueForFit(slot, lastFit, lastLength, finite, o)) {
      const from = Math.max(0, slot + 1 - o.fitWindow);
      const t0 = performance.now();
      try {
        model = await o.model.fit({
          values: seen.subarray(from, slot + 1),
          step: rows.step,
          start: rows.start + from * rows.step,
        });
        absorbed = slot;
        track.fits++;
      } catch (err) {
        track.fitFailures++;
        o.onFitError?.(slot, err as Error);
      }
      track.fitSeconds += (performance.now() - t0) / 1000;
      lastFit = slot;
      lastLength = slot + 1 - from;
    }
    if (!model) continue;
    if (slot > absorbed) {
      // gaps between rows reach the model as NaN, which every model treats as a missing point
      const fresh = seen.subarray(absorbed + 1, slot + 1);
      model.update(fresh);
      absorbed = slot;
    }
    const f = model.forecast(H, o.levels);
    for (let k = 0; k < H; k++) {
      track.point[i * H + k] = f.point[k];
      for (let j = 0; j < o.levels.length; j++) {
        track.lower[j][i * H + k] = f.intervals[j].lower[k];
        track.upper[j][i * H + k] = f.intervals[j].upper[k];
      }
    }
  }
  return track;
}

/** The planner's input at row i of a track: what the live store would hold right after that row. */
export function trackInput(track: ForecastTrack, i: number): PlannerInput {
  const H = track.horizon;
  const from = i * H;
  if (Number.isNaN(track.point[from])) return { observed: track.observed[i], step: track.step };
  return {
    observed: track.observed[i],
    step: track.step,
    forecast: {
      point: track.point.subarray(from, from + H),
      intervals: track.levels.map((level, j) => ({
        level,
        lower: track.lower[j].subarray(from, from + H),
        upper: track.upper[j].subarray(from, from + H),
      })),
    },
  };
}

/**
 * The scale metric after every row, each from the row's forecast and the previous row's metric
 * (the step limits' memory), as the live scaler computes it point by point.
 */
export function planTrack(track: ForecastTrack, policy: PlannerPolicy): Float64Array {
  const out = new Float64Array(track.observed.length);
  let previous: number | undefined;
  for (let i = 0; i < out.length; i++) {
    const value = planScaleMetric(trackInput(track, i), policy, previous).value;
    out[i] = value;
    if (Number.isFinite(value)) previous = value;
  }
  return out;
}
