/**
 * Forecast accuracy measures, defined exactly as ../shared/tools/forecast_bench.py defines them so
 * our own backtests and the official cross-check agree. Pure functions.
 */

/**
 * In-sample MAE of the seasonal-naive forecast (lag `season`) on the history, the MASE scale.
 * Lag 1 when the history is shorter than two seasons or the seasonal scale is 0; NaN when the
 * history is constant (MASE is undefined there).
 */
export function maseScale(history: ArrayLike<number>, season: number): { scale: number; lag: number } {
  const n = history.length;
  const meanAbsDiff = (lag: number): number => {
    let s = 0;
    for (let i = lag; i < n; i++) s += Math.abs(history[i] - history[i - lag]);
    return n > lag ? s / (n - lag) : 0;
  };
  if (season > 1 && n >= 2 * season) {
    const s = meanAbsDiff(season);
    if (s > 0) return { scale: s, lag: season };
  }
  const s = meanAbsDiff(1);
  return { scale: s > 0 ? s : NaN, lag: 1 };
}

export function meanAbsoluteError(actual: ArrayLike<number>, point: ArrayLike<number>, count: number): number {
  let s = 0;
  for (let i = 0; i < count; i++) s += Math.abs(actual[i] - point[i]);
  return s / count;
}

/** Symmetric MAPE in percent; a step where both actual and forecast are 0 counts as 0. */
export function smape(actual: ArrayLike<number>, point: ArrayLike<number>, count: number): number {
  let s = 0;
  for (let i = 0; i < count; i++) {
    const den = Math.abs(actual[i]) + Math.abs(point[i]);
    if (den > 0) s += (200 * Math.abs(actual[i] - point[i])) / den;
  }
  return s / count;
}

/** Share of actuals inside [lower, upper] over the first `count` steps. */
export function coverage(
  actual: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  count: number,
): number {
  let inside = 0;
  for (let i = 0; i < count; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  return inside / count;
}

/**
 * Mean interval score of the central band at `level` over the first `count` steps (Gneiting &
 * Raftery 2007; M4's MSIS once divided by the MASE scale): the width plus 2 / (1 - level) times
 * the distance of each actual outside the band. Proper for the band between the (1 - level) / 2
 * and (1 + level) / 2 quantiles, so it charges width and misses together.
 */
export function intervalScore(
  actual: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  level: number,
  count: number,
): number {
  const penalty = 2 / (1 - level);
  let s = 0;
  for (let i = 0; i < count; i++) {
    const y = actual[i];
    s += upper[i] - lower[i] + penalty * (Math.max(lower[i] - y, 0) + Math.max(y - upper[i], 0));
  }
  return s / count;
}

export function meanWidth(lower: ArrayLike<number>, upper: ArrayLike<number>, count: number): number {
  let s = 0;
  for (let i = 0; i < count; i++) s += upper[i] - lower[i];
  return s / count;
}

/** Geometric mean with values floored at `floor` (the bench floors per-series MASE at 1e-3). */
export function geometricMean(values: number[], floor = 1e-3): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  return Math.exp(finite.reduce((s, v) => s + Math.log(Math.max(v, floor)), 0) / finite.length);
}
