/**
 * Online band calibration replayed on real series: each series is walked in time order as the
 * live exporter would run it (auto fitted on the last week, refitted every day, updated with
 * every point, a 4-hour forecast every few points), and the served bands pass through an
 * AdaptiveCalibration that only ever sees actuals that have already arrived. Reports per-series
 * coverage at 1 h and 4 h (mean over steps, as forecast_bench.py scores it) for the model's own
 * bands and for the calibrated ones with several adaptive step sizes, its spread across series
 * (mean, 10th / 90th percentile, share inside the targets 0.77-0.83 and 0.93-0.97) and a
 * leave-one-source-out choice of the step size. Prints tables, writes
 * bench/results/forecast-calibration.json.
 *
 *   tsx bench/forecast-calibration.ts [--data DIR[,DIR...]] [--model auto] [--gammas 0,0.005,0.02,0.05,0.1,0.2]
 *                                     [--scales 1] [--scores ratio,excess] [--warmup-days 1]
 *
 * `--scores` lists how misses are scored (models/adaptive-calibration.ts). `--scales` lists multipliers of the effective sample size in the calibrator's quantile
 * correction (each combined with each step size). Besides coverage it reports MSIS95 (interval
 * score over the MASE scale of the fitted history, geometric mean over series).
 */
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getModel } from '../exporter/src/models/index.js';
import { AdaptiveCalibration } from '../exporter/src/models/adaptive-calibration.js';
import type { FittedModel, ForecastResult, ModelFactory } from '../exporter/src/models/types.js';
import { geometricMean, intervalScore, maseScale } from '../exporter/src/evaluation/metrics.js';
import { COVERAGE_TARGETS, coverageSpread, flag, listCsv, readSeriesCsv, writeResults } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const LEVELS = [0.8, 0.95];
const DAY = 86400;

/** Share of actuals inside each level's band over steps 1..h. */
function hits(result: ForecastResult, actual: number[], h: number): number[] {
  return result.intervals.map((iv) => {
    let inside = 0;
    for (let i = 0; i < h; i++) if (actual[i] >= iv.lower[i] && actual[i] <= iv.upper[i]) inside++;
    return inside / h;
  });
}

/** time spent in the calibrator: record + adjust per forecast, observe per point */
const timing = { forecastMs: 0, forecasts: 0, observeMs: 0, observations: 0 };

interface SeriesRun {
  series: string;
  source: string;
  origins: number;
  /** coverage[variant][horizon index][level index], mean over scored origins */
  coverage: Record<string, number[][]>;
  /** msis95[variant][horizon index], mean over scored origins */
  msis95: Record<string, number[]>;
}

async function replaySeries(
  factory: ModelFactory,
  file: string,
  root: string,
  gammas: number[],
  scales: number[],
  scores: Array<'ratio' | 'excess'>,
  warmupDays: number,
): Promise<SeriesRun> {
  const { t, v } = readSeriesCsv(file);
  const step = t[1] - t[0];
  const n = v.length;
  const horizons = [Math.max(1, Math.round(3600 / step)), Math.max(1, Math.round(14400 / step))];
  const longest = horizons[1];
  const lookback = Math.round((7 * DAY) / step);
  const refitEvery = Math.round(DAY / step);
  const stride = Math.max(1, Math.round(longest / 8));
  const first = Math.max(3 * longest, Math.min(lookback, Math.floor(n / 3)));
  const scoreFrom = first + Math.round((warmupDays * DAY) / step);
  const settings = scores.flatMap((score) =>
    gammas.flatMap((gamma) => scales.map((scale) => ({ gamma, scale, score }))),
  );
  const label = ({ gamma, scale, score }: { gamma: number; scale: number; score: string }) =>
    [scores.length > 1 ? score : '', `gamma=${gamma}`, scales.length > 1 ? `n*${scale}` : ''].filter(Boolean).join(',');
  const variants = ['model', ...settings.map(label)];
  // calibrated as a config with horizons of one step, 1 h and 4 h would be
  const calibrated = [...new Set([1, ...horizons])];
  const calibrations = settings.map(
    ({ gamma, scale, score }) =>
      new AdaptiveCalibration({ step, horizons: calibrated, levels: LEVELS, gamma, effectiveScale: scale, score }),
  );
  const sums: Record<string, number[][]> = Object.fromEntries(
    variants.map((name) => [name, horizons.map(() => LEVELS.map(() => 0))]),
  );
  const msis: Record<string, number[]> = Object.fromEntries(variants.map((name) => [name, horizons.map(() => 0)]));
  let scored = 0;
  let scale = NaN;
  let model: FittedModel | undefined;
  for (let i = first; i < n; i++) {
    if ((i - first) % refitEvery === 0) {
      const from = Math.max(0, i - lookback);
      model = await factory.fit({ values: v.slice(from, i), step, start: t[from] });
      scale = maseScale(v.slice(from, i), Math.round(DAY / step)).scale;
    }
    if ((i - first) % stride === 0) {
      const raw = model!.forecast(longest, LEVELS);
      const t0 = performance.now();
      const served = calibrations.map((c) => {
        c.record(t[i - 1], raw);
        return c.adjust(raw);
      });
      timing.forecastMs += (performance.now() - t0) / calibrations.length;
      timing.forecasts++;
      if (i >= scoreFrom && i + longest <= n) {
        const actual = v.slice(i, i + longest);
        [raw, ...served].forEach((result, r) => {
          horizons.forEach((h, j) => hits(result, actual, h).forEach((c, k) => (sums[variants[r]][j][k] += c)));
          const band = result.intervals[LEVELS.indexOf(0.95)];
          horizons.forEach(
            (h, j) => (msis[variants[r]][j] += intervalScore(actual, band.lower, band.upper, 0.95, h) / scale),
          );
        });
        scored++;
      }
    }
    const t1 = performance.now();
    for (const c of calibrations) c.observe(t[i], v[i]);
    timing.observeMs += (performance.now() - t1) / calibrations.length;
    timing.observations++;
    model!.update([v[i]]);
  }
  const rel = relative(root, file).replace(/\.csv$/, '');
  const coverage = Object.fromEntries(
    Object.entries(sums).map(([name, rows]) => [name, rows.map((row) => row.map((s) => s / scored))]),
  );
  return {
    series: `${basename(root)}/${rel}`,
    source: `${basename(root)}:${rel.split('/')[0]}`,
    origins: scored,
    coverage,
    msis95: Object.fromEntries(Object.entries(msis).map(([name, row]) => [name, row.map((s) => s / scored)])),
  };
}

/**
 * Interval-score cost of a variant on some series: mean log MSIS95 over both horizons, or, when
 * its mean coverage at some horizon and level is outside the targets, 100 plus how far outside
 * (behind every variant inside them), as bench/forecast-heldout.ts ranks band choices.
 */
function msisCost(runs: SeriesRun[], variant: string): number {
  let violation = 0;
  [0, 1].forEach((j) =>
    LEVELS.forEach((level, k) => {
      const mean = runs.reduce((a, r) => a + r.coverage[variant][j][k], 0) / runs.length;
      const [lo, hi] = COVERAGE_TARGETS[String(level)];
      violation += Math.max(0, lo - mean, mean - hi);
    }),
  );
  if (violation > 0) return 100 + violation;
  return (
    runs.reduce((a, r) => a + r.msis95[variant].reduce((b, m) => b + Math.log(Math.max(1e-3, m)), 0) / 2, 0) /
    runs.length
  );
}

/** Mean distance of per-series coverage from its level, over both horizons and levels. */
function miscalibration(runs: SeriesRun[], variant: string): number {
  let s = 0;
  for (const r of runs) r.coverage[variant].forEach((row) => row.forEach((c, k) => (s += Math.abs(c - LEVELS[k]))));
  return s / (runs.length * 2 * LEVELS.length);
}

async function main(): Promise<void> {
  const roots = flag('data', join(here, '../../shared/datasets/forecast'))
    .split(',')
    .map((d) => resolve(d));
  const gammas = flag('gammas', '0,0.005,0.02,0.05,0.1,0.2').split(',').map(Number);
  const scales = flag('scales', '1').split(',').map(Number);
  const scores = flag('scores', 'ratio').split(',') as Array<'ratio' | 'excess'>;
  const modelName = flag('model', 'auto');
  const factory = getModel(modelName);
  if (!factory) throw new Error(`--model: unknown model ${modelName}`);
  const warmupDays = Number(flag('warmup-days', '1'));
  const runs: SeriesRun[] = [];
  const t0 = performance.now();
  for (const root of roots) {
    for (const file of listCsv(root)) {
      const run = await replaySeries(factory, file, root, gammas, scales, scores, warmupDays);
      if (run.origins > 0) runs.push(run);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const variants = Object.keys(runs[0].coverage);
  const rows: unknown[] = [];
  console.log(
    `\nonline calibration replay: ${runs.length} series, ${modelName} refitted daily on <= 7 days, scored after ${warmupDays} day(s) of warm-up (${seconds.toFixed(0)} s)`,
  );
  console.log('variant                     h    level  mean   p10    p90    inside-target  MSIS95gm');
  for (const name of variants) {
    ['1h', '4h'].forEach((h, j) => {
      LEVELS.forEach((level, k) => {
        const spread = coverageSpread(
          runs.map((r) => r.coverage[name][j][k]),
          level,
        );
        rows.push({ variant: name, horizon: h, level, ...spread });
        const msis = k === 1 ? geometricMean(runs.map((r) => r.msis95[name][j])).toFixed(2) : '';
        console.log(
          `${name.padEnd(27)} ${h}   ${level.toFixed(2)}   ${spread.mean.toFixed(3)}  ${spread.p10.toFixed(3)}  ${spread.p90.toFixed(3)}  ${spread.inside.toFixed(2)}           ${msis}`,
        );
      });
    });
  }
  // leave one source out: the step size that is best on the other sources, scored on the held-out one
  const sources = [...new Set(runs.map((r) => r.source))];
  const calibrated = variants.filter((v) => v !== 'model');
  const loso = sources.map((held) => {
    const train = runs.filter((r) => r.source !== held);
    const test = runs.filter((r) => r.source === held);
    const chosen = calibrated.reduce((a, b) => (miscalibration(train, b) < miscalibration(train, a) ? b : a));
    return {
      held,
      chosen,
      heldOut: miscalibration(test, chosen),
      model: miscalibration(test, 'model'),
      byVariant: Object.fromEntries(calibrated.map((v) => [v, miscalibration(test, v)])),
    };
  });
  console.log(
    '\nleave one source out by MSIS95 among variants inside the coverage targets (geo-mean MSIS95 1 h / 4 h):',
  );
  const msisLoso = sources.map((held) => {
    const train = runs.filter((r) => r.source !== held);
    const test = runs.filter((r) => r.source === held);
    const chosen = calibrated.reduce((a, b) => (msisCost(train, b) < msisCost(train, a) ? b : a));
    const gm = (v: string) => [0, 1].map((j) => geometricMean(test.map((r) => r.msis95[v][j])));
    console.log(
      `  held out ${held.padEnd(28)} chosen ${chosen.padEnd(24)} ${gm(chosen)
        .map((x) => x.toFixed(2))
        .join(' / ')} (model bands ${gm('model')
        .map((x) => x.toFixed(2))
        .join(' / ')})`,
    );
    return { held, chosen, heldOut: gm(chosen), model: gm('model') };
  });
  console.log('\nleave one source out (mean |coverage - level| per series, lower is better):');
  for (const l of loso) {
    console.log(
      `  held out ${l.held.padEnd(28)} chosen ${l.chosen.padEnd(12)} ${l.heldOut.toFixed(4)} (model bands ${l.model.toFixed(4)})`,
    );
  }
  console.log(
    `\ncalibrator cost: record + adjust ${((timing.forecastMs * 1000) / timing.forecasts).toFixed(1)} us per 4 h forecast, observe ${((timing.observeMs * 1000) / timing.observations).toFixed(2)} us per point`,
  );
  console.log(`  all sources: ${variants.map((v) => `${v} ${miscalibration(runs, v).toFixed(4)}`).join(', ')}`);
  writeResults(`forecast-calibration${modelName === 'auto' ? '' : `-${modelName}`}.json`, {
    model: modelName,
    roots,
    timing,
    rows,
    loso,
    msisLoso,
    runs,
  });
}

await main();
