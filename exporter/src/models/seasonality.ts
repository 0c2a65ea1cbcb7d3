/**
 * Season detection and gap filling shared by the in-house models. Pure functions.
 *
 * A candidate season (hour, day, week in steps) counts when the series' autocorrelation at that
 * lag is clearly positive: above a fixed floor and above the white-noise band 2/sqrt(n).
 * Autocorrelation is computed on the series minus a centred moving mean one season wide, so a
 * trend or a slow level shift does not fake a seasonal match.
 */

const HOUR = 3600;
const DAY = 86400;
const WEEK = 7 * DAY;

/** Minimum autocorrelation at the seasonal lag for a season to count (below is "no season"). */
export const SEASON_ACF_THRESHOLD = 0.25;

/** Linearly interpolate inner gaps, hold the edge values at the ends. Empty if all are NaN. */
export function fillGaps(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    out[i] = v;
    if (prev === -1) {
      for (let j = 0; j < i; j++) out[j] = v;
    } else if (i - prev > 1) {
      const a = out[prev];
      for (let j = prev + 1; j < i; j++) out[j] = a + ((v - a) * (j - prev)) / (i - prev);
    }
    prev = i;
  }
  if (prev === -1) return new Float64Array(0);
  for (let j = prev + 1; j < n; j++) out[j] = out[prev];
  return out;
}

/** Autocorrelation of `x` at `lag` after removing a moving mean of width `detrendWidth`. */
export function seasonalAutocorrelation(x: Float64Array, lag: number, detrendWidth: number): number {
  const n = x.length;
  if (lag < 1 || n < 2 * lag + 2) return 0;
  const dev = detrend(x, detrendWidth);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) den += dev[i] * dev[i];
  for (let i = lag; i < n; i++) num += dev[i] * dev[i - lag];
  return den > 0 ? num / den : 0;
}

function detrend(x: Float64Array, width: number): Float64Array {
  const n = x.length;
  const half = Math.max(1, Math.floor(width / 2));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + x[i];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = x[i] - (prefix[b] - prefix[a]) / (b - a);
  }
  return out;
}

export interface DetectedSeason {
  /** season length in steps; 1 means none */
  period: number;
  /** autocorrelation at that lag (0 when none) */
  acf: number;
}

/**
 * The strongest of the day / week / hour seasons the history can support (two full seasons),
 * or period 1 when none passes the threshold. Daily wins ties: it is the usual one for servers.
 */
export function detectSeason(values: ArrayLike<number>, step: number): DetectedSeason {
  const x = values instanceof Float64Array ? values : fillGaps(values);
  const n = x.length;
  const band = 2 / Math.sqrt(Math.max(n, 1));
  let best: DetectedSeason = { period: 1, acf: 0 };
  for (const seconds of [DAY, WEEK, HOUR]) {
    const lag = Math.round(seconds / step);
    if (lag < 2 || n < 2 * lag + 2) continue;
    // detrend with a window of twice the lag so the seasonal swing itself survives
    const r = seasonalAutocorrelation(x, lag, 2 * lag + 1);
    if (r > Math.max(SEASON_ACF_THRESHOLD, band) && r > best.acf + 0.05) best = { period: lag, acf: r };
  }
  return best;
}
