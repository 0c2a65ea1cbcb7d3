/**
 * Shared by bench/forecast-variants.ts: per-series scores of a variant on several data sets, the
 * anchors' per-series scores from a forecast_bench.py `--out` CSV, summaries (geometric means,
 * coverage and its spread) and the leave-one-source-out choice within a family of variants.
 *
 * A series' source is its first folder (bitbrains_rnd, google2019, nab, scaling); the 15-minute
 * and hourly averages of a source are the same source, so they are held out with it.
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { ModelFactory } from '../exporter/src/models/types.js';
import { backtestSeries } from '../exporter/src/evaluation/rolling-origin.js';
import { geometricMean } from '../exporter/src/evaluation/metrics.js';
import { COVERAGE_TARGETS, listCsv, percentile, readSeriesCsv } from './forecast-csv.js';

export const LEVELS = [0.8, 0.95];
export const HORIZONS = ['1h', '4h'] as const;

/** One series' scores, each the mean over its origins; [horizon][level] where two indices. */
export interface SeriesScore {
  /** data set (folder name of the root: forecast, m15, h1, m1) */
  data: string;
  /** e.g. bitbrains_rnd/vm27_mem_kb */
  series: string;
  source: string;
  mase: number[];
  cov: number[][];
  msis: number[][];
  width: number[][];
  fails: number;
}

const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Backtest `factory` on every series of `roots` with the forecast_bench.py protocol. */
export async function scoreVariant(factory: ModelFactory, roots: string[], origins: number): Promise<SeriesScore[]> {
  const out: SeriesScore[] = [];
  for (const root of roots) {
    for (const file of listCsv(root)) {
      const { t, v } = readSeriesCsv(file);
      const step = t[1] - t[0];
      const horizons = [Math.max(1, Math.round(3600 / step)), Math.max(1, Math.round(14400 / step))];
      const scores = await backtestSeries(v, factory, {
        origins,
        horizons,
        maxHistory: 2016,
        season: Math.max(1, Math.round(86400 / step)),
        levels: LEVELS,
        step,
        start: t[0],
        now: () => 0,
      });
      const at = (h: number) => scores.filter((s) => s.horizon === h);
      if (at(horizons[0]).length === 0) continue;
      const series = relative(root, file).replace(/\.csv$/, '');
      const byLevel = (pick: (s: (typeof scores)[number]) => number[]) =>
        horizons.map((h) => LEVELS.map((_, k) => avg(at(h).map((s) => pick(s)[k]))));
      out.push({
        data: basename(root),
        series,
        source: series.split('/')[0],
        mase: horizons.map((h) => avg(at(h).map((s) => s.mase))),
        cov: byLevel((s) => s.coverage),
        msis: byLevel((s) => s.msis),
        width: byLevel((s) => s.width),
        fails: at(horizons[0]).filter((s) => s.failed).length,
      });
    }
  }
  return out;
}

/** Per-series scores of each forecast_bench.py method in its `--out` CSV, as `data`. */
export function readAnchors(csvPath: string, data: string): Record<string, SeriesScore[]> {
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const col = (name: string) => header.indexOf(name);
  const rows = lines.slice(1).map((l) => l.split(','));
  const groups = new Map<string, string[][]>();
  for (const r of rows) {
    if (r[col('h')] === 'skip') continue;
    const key = `${r[col('method')]}\t${r[col('series')]}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const out: Record<string, SeriesScore[]> = {};
  for (const [key, rs] of groups) {
    const [method, series] = key.split('\t');
    const mean = (h: string, name: string) => avg(rs.filter((r) => r[col('h')] === h).map((r) => Number(r[col(name)])));
    (out[method] ??= []).push({
      data,
      series,
      source: series.split('/')[0],
      mase: HORIZONS.map((h) => mean(h, 'MASE')),
      cov: HORIZONS.map((h) => [mean(h, 'cov80'), mean(h, 'cov95')]),
      msis: HORIZONS.map((h) => [mean(h, 'msis80'), mean(h, 'msis95')]),
      width: HORIZONS.map((h) => [mean(h, 'w80'), mean(h, 'w95')]),
      fails: rs.filter((r) => r[col('h')] === '1h' && r[col('fail')] === '1').length,
    });
  }
  return out;
}

export interface Summary {
  series: number;
  /** [1h, 4h] */
  maseGm: number[];
  msis95Gm: number[];
  /** [horizon][level] mean over series */
  cov: number[][];
  /** [horizon][level] 10th and 90th percentile of per-series coverage, and the share inside the target */
  p10: number[][];
  p90: number[][];
  inside: number[][];
  w95: number[];
  fails: number;
}

export function summarise(scores: SeriesScore[]): Summary {
  const perLevel = (f: (values: number[], level: number) => number) =>
    [0, 1].map((j) =>
      LEVELS.map((level, k) =>
        f(
          scores.map((s) => s.cov[j][k]),
          level,
        ),
      ),
    );
  return {
    series: scores.length,
    maseGm: [0, 1].map((j) => geometricMean(scores.map((s) => s.mase[j]))),
    msis95Gm: [0, 1].map((j) => geometricMean(scores.map((s) => s.msis[j][1]))),
    cov: perLevel((values) => avg(values)),
    p10: perLevel((values) => percentile(values, 0.1)),
    p90: perLevel((values) => percentile(values, 0.9)),
    inside: perLevel((values, level) => {
      const [lo, hi] = COVERAGE_TARGETS[String(level)];
      return values.filter((c) => c >= lo && c <= hi).length / values.length;
    }),
    w95: [0, 1].map((j) => avg(scores.map((s) => s.width[j][1]))),
    fails: scores.reduce((n, s) => n + s.fails, 0),
  };
}

/** How far the mean coverage of `scores` lies outside the targets, summed over horizons and levels. */
export function coverageViolation(scores: SeriesScore[]): number {
  const { cov } = summarise(scores);
  let v = 0;
  cov.forEach((row) =>
    row.forEach((c, k) => {
      const [lo, hi] = COVERAGE_TARGETS[String(LEVELS[k])];
      v += Math.max(0, lo - c, c - hi);
    }),
  );
  return v;
}

export type Objective = 'mase' | 'msis';

/**
 * Cost of a variant on a set of series: mean log MASE over both horizons ('mase'), or mean log
 * MSIS95 with coverage as a constraint ('msis': a variant outside the coverage targets costs its
 * violation plus a constant that puts it behind every variant inside them).
 */
export function cost(scores: SeriesScore[], objective: Objective): number {
  const logMean = (pick: (s: SeriesScore) => number) => avg(scores.map((s) => Math.log(Math.max(1e-3, pick(s)))));
  if (objective === 'mase') return (logMean((s) => s.mase[0]) + logMean((s) => s.mase[1])) / 2;
  const msis = (logMean((s) => s.msis[0][1]) + logMean((s) => s.msis[1][1])) / 2;
  const violation = coverageViolation(scores);
  return violation > 0 ? 100 + violation : msis;
}

export interface HeldOut {
  /** per held-out source, the variant chosen on the other sources */
  picks: Record<string, string>;
  /** every series scored by the variant chosen without its source */
  scores: SeriesScore[];
}

/**
 * Leave one source out: for each source, the variant of least cost on the others (measured in
 * `chooseOn`, by default the same scores) scores it.
 */
export function leaveOneSourceOut(
  variants: Record<string, SeriesScore[]>,
  objective: Objective,
  chooseOn: Record<string, SeriesScore[]> = variants,
): HeldOut {
  const names = Object.keys(variants);
  const sources = [...new Set(variants[names[0]].map((s) => s.source))].sort();
  const picks: Record<string, string> = {};
  const scores: SeriesScore[] = [];
  for (const held of sources) {
    const train = (name: string) => chooseOn[name].filter((s) => s.source !== held);
    const chosen = names.reduce((a, b) => (cost(train(b), objective) < cost(train(a), objective) ? b : a));
    picks[held] = chosen;
    scores.push(...variants[chosen].filter((s) => s.source === held));
  }
  return { picks, scores };
}

/** The scores of `data` only (one data set of a multi-set run). */
export const ofData = (scores: SeriesScore[], data: string): SeriesScore[] => scores.filter((s) => s.data === data);
