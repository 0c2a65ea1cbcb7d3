/** The future fan: from the last sample out to the longest horizon. */
import type { LatestForecast, Ribbon } from './types.js';

/**
 * Build the fan from the newest forecast of each horizon. It starts at the last sample with zero
 * width (the actual is known there) and widens through each horizon in turn; a horizon without
 * the chosen level keeps its point with NaN bounds, so partial data still draws what it can.
 * When the last value is unknown (NaN) the fan starts at the shortest horizon instead.
 */
export function buildFan(
  latestByHorizon: LatestForecast[],
  lastSample: { t: number; v: number },
  level: string,
): Ribbon {
  const fan: Ribbon = { t: [], point: [], lower: [], upper: [] };
  if (!Number.isFinite(lastSample.t) || latestByHorizon.length === 0) return fan;
  if (Number.isFinite(lastSample.v)) push(fan, lastSample.t, lastSample.v, lastSample.v, lastSample.v);
  const sorted = [...latestByHorizon].sort((a, b) => a.horizon - b.horizon);
  for (const f of sorted) {
    const bounds = f.bands[level] ?? [NaN, NaN];
    push(fan, lastSample.t + f.horizon, f.point, bounds[0], bounds[1]);
  }
  return fan;
}

/** A forecast at every step (as the exporter's JSON API gives it), in the same shape as a fan. */
export interface SteppedForecast {
  /** time of the first forecast point */
  start: number;
  step: number;
  point: number[];
  intervals: Array<{ level: number | string; lower: number[]; upper: number[] }>;
}

/** A fan at full step resolution from the exporter's latest forecast, joined to the last sample. */
export function fanFromForecast(
  forecast: SteppedForecast,
  lastSample: { t: number; v: number },
  level: string,
): Ribbon {
  const fan: Ribbon = { t: [], point: [], lower: [], upper: [] };
  const interval = forecast.intervals.find((i) => String(i.level) === level);
  if (Number.isFinite(lastSample.t) && Number.isFinite(lastSample.v) && lastSample.t < forecast.start) {
    push(fan, lastSample.t, lastSample.v, lastSample.v, lastSample.v);
  }
  for (let i = 0; i < forecast.point.length; i++) {
    push(
      fan,
      forecast.start + i * forecast.step,
      forecast.point[i] ?? NaN,
      interval?.lower[i] ?? NaN,
      interval?.upper[i] ?? NaN,
    );
  }
  return fan;
}

function push(ribbon: Ribbon, t: number, point: number, lower: number, upper: number): void {
  ribbon.t.push(t);
  ribbon.point.push(toNumber(point));
  ribbon.lower.push(toNumber(lower));
  ribbon.upper.push(toNumber(upper));
}

/** JSON carries missing values as null. */
function toNumber(value: number | null | undefined): number {
  return typeof value === 'number' ? value : NaN;
}
