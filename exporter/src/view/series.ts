/** Small operations on time series shared by the band, fan and marker code. */
import type { TimeSeries } from './types.js';

/**
 * Align several time series on the sorted union of their times; each output column holds NaN
 * where its series had no sample. A repeated time keeps the series' last value.
 */
export function alignOnTimes(parts: Array<TimeSeries | undefined>): [number[], ...number[][]] {
  const times = new Set<number>();
  for (const part of parts) for (const t of part?.t ?? []) times.add(t);
  const t = [...times].sort((a, b) => a - b);
  const index = new Map(t.map((time, i) => [time, i]));
  const columns = parts.map((part) => {
    const column = new Array<number>(t.length).fill(NaN);
    if (part) for (let i = 0; i < part.t.length; i++) column[index.get(part.t[i])!] = part.v[i];
    return column;
  });
  return [t, ...columns];
}

/** The value of the sample nearest to `t` (times sorted ascending), NaN when none is within `tolerance`. */
export function valueNear(series: TimeSeries, t: number, tolerance: number): number {
  const times = series.t;
  if (times.length === 0) return NaN;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  let best = lo;
  if (lo > 0 && Math.abs(times[lo - 1] - t) <= Math.abs(times[lo] - t)) best = lo - 1;
  return Math.abs(times[best] - t) <= tolerance ? series.v[best] : NaN;
}

/** Median spacing of sorted times; 0 with fewer than two. */
export function medianStep(times: number[]): number {
  if (times.length < 2) return 0;
  const gaps = times
    .slice(1)
    .map((t, i) => t - times[i])
    .sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}
