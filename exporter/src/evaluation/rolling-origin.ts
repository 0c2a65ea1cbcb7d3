/**
 * Rolling-origin backtest engine, the same protocol as ../shared/tools/forecast_bench.py: K
 * origins evenly spaced from 80% of the series to the end minus the longest horizon, at most
 * `maxHistory` points of history per fit, one forecast per origin scored at every horizon.
 * Pure: the clock for fit times is injected; a failing fit is scored as the naive forecast and
 * counted, as the bench does.
 */
import type { FitOptions, ForecastResult, ModelFactory } from '../models/types.js';
import { median } from '../util/stats.js';
import { bandsFromSd } from '../models/normal-bands.js';
import { coverage, geometricMean, intervalScore, maseScale, meanAbsoluteError, meanWidth, smape } from './metrics.js';

export interface BacktestOptions {
  origins: number;
  /** horizons in steps, scored from one forecast of the longest */
  horizons: number[];
  maxHistory: number;
  /** season (steps) of the seasonal-naive MASE scale, e.g. 288 at 5 minutes */
  season: number;
  levels: number[];
  /** grid step in seconds and start of values[0], passed to the model */
  step: number;
  start: number;
  /** milliseconds, injected so the engine stays pure */
  now: () => number;
  fitOptions?: FitOptions;
}

export interface OriginScore {
  origin: number;
  horizon: number;
  mase: number;
  smape: number;
  /** by level, in the order of options.levels */
  coverage: number[];
  /** mean band width divided by the MASE scale, by level */
  width: number[];
  /** mean interval score divided by the MASE scale (M4's MSIS), by level */
  msis: number[];
  fitMs: number;
  failed: boolean;
}

export function originsFor(n: number, longestHorizon: number, count: number): number[] {
  const lo = Math.floor(n * 0.8);
  const hi = n - longestHorizon;
  if (hi < lo) return [];
  if (count <= 1) return [hi];
  const out = new Set<number>();
  for (let k = 0; k < count; k++) out.add(roundHalfEven(lo + ((hi - lo) * k) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}

/** numpy rounds halves to even; matching it keeps our origins identical to the bench's */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function naiveForecast(history: ArrayLike<number>, horizon: number, levels: number[]): ForecastResult {
  const n = history.length;
  let s = 0;
  for (let i = 1; i < n; i++) s += (history[i] - history[i - 1]) ** 2;
  const sigma = n > 1 ? Math.sqrt(s / (n - 1)) : 0;
  const point = new Array<number>(horizon).fill(history[n - 1]);
  return bandsFromSd(
    point,
    point.map((_, i) => sigma * Math.sqrt(i + 1)),
    levels,
  );
}

/** Backtest one model on one series; origins with a constant history are skipped. */
export async function backtestSeries(
  values: ArrayLike<number>,
  model: ModelFactory,
  options: BacktestOptions,
): Promise<OriginScore[]> {
  const longest = Math.max(...options.horizons);
  const scores: OriginScore[] = [];
  for (const origin of originsFor(values.length, longest, options.origins)) {
    const from = Math.max(0, origin - options.maxHistory);
    const history = Array.from({ length: origin - from }, (_, i) => values[from + i]);
    const { scale } = maseScale(history, options.season);
    if (!Number.isFinite(scale)) continue;
    const actual = Array.from({ length: longest }, (_, i) => values[origin + i]);
    const t0 = options.now();
    let result: ForecastResult;
    let failed = false;
    try {
      const fitted = await model.fit(
        { values: history, step: options.step, start: options.start + from * options.step },
        options.fitOptions,
      );
      result = fitted.forecast(longest, options.levels);
      if (!result.point.every(Number.isFinite)) throw new Error('non-finite forecast');
    } catch {
      failed = true;
      result = naiveForecast(history, longest, options.levels);
    }
    const fitMs = options.now() - t0;
    for (const horizon of options.horizons) {
      scores.push({
        origin,
        horizon,
        mase: meanAbsoluteError(actual, result.point, horizon) / scale,
        smape: smape(actual, result.point, horizon),
        coverage: result.intervals.map((iv) => coverage(actual, iv.lower, iv.upper, horizon)),
        width: result.intervals.map((iv) => meanWidth(iv.lower, iv.upper, horizon) / scale),
        msis: result.intervals.map((iv) => intervalScore(actual, iv.lower, iv.upper, iv.level, horizon) / scale),
        fitMs,
        failed,
      });
    }
  }
  return scores;
}

export interface HorizonSummary {
  horizon: number;
  series: number;
  maseMean: number;
  maseMedian: number;
  maseGeoMean: number;
  smape: number;
  coverage: number[];
  width: number[];
  /** geometric mean over series of the per-series mean MSIS, by level (forecast_bench.py's MSIS95_gm) */
  msisGeoMean: number[];
  fitMsMean: number;
  fitMsMedian: number;
  fails: number;
}

/** Per series mean over origins, then across series (every series weighs the same), per horizon. */
export function summarise(bySeries: OriginScore[][], horizons: number[], levelCount: number): HorizonSummary[] {
  return horizons.map((horizon) => {
    const perSeries = bySeries
      .map((scores) => scores.filter((s) => s.horizon === horizon))
      .filter((scores) => scores.length > 0);
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const seriesMase = perSeries.map((s) => avg(s.map((o) => o.mase)));
    const fitTimes = perSeries.flatMap((s) => s.map((o) => o.fitMs));
    return {
      horizon,
      series: perSeries.length,
      maseMean: avg(seriesMase),
      maseMedian: median(seriesMase),
      maseGeoMean: geometricMean(seriesMase),
      smape: avg(perSeries.map((s) => avg(s.map((o) => o.smape)))),
      coverage: Array.from({ length: levelCount }, (_, l) =>
        avg(perSeries.map((s) => avg(s.map((o) => o.coverage[l])))),
      ),
      width: Array.from({ length: levelCount }, (_, l) => avg(perSeries.map((s) => avg(s.map((o) => o.width[l]))))),
      msisGeoMean: Array.from({ length: levelCount }, (_, l) =>
        geometricMean(perSeries.map((s) => avg(s.map((o) => o.msis[l])))),
      ),
      fitMsMean: avg(fitTimes),
      fitMsMedian: median(fitTimes),
      fails: perSeries.reduce((n, s) => n + s.filter((o) => o.failed).length, 0),
    };
  });
}
