/**
 * `npm run bench:forecast`: rolling-origin backtest of every registered model (plus the naive
 * last-value reference) over the real server series in ../shared/datasets/forecast, with the
 * protocol of ../shared/tools/forecast_bench.py (5 origins, <= 7 days history, 1 h and 4 h from
 * one 4 h forecast), and a speed run of `ets` on a week of 5-minute data. Prints tables and
 * writes bench/results/forecast.json.
 *
 *   tsx bench/forecast.ts [--data DIR] [--models a,b] [--origins 5] [--speed-runs 50]
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { MODELS } from '../exporter/src/models/index.js';
import type { ModelFactory } from '../exporter/src/models/types.js';
import { seasonalNaive } from '../exporter/src/models/seasonal-naive.js';
import { backtestSeries, summarise, type OriginScore } from '../exporter/src/evaluation/rolling-origin.js';
import { median } from '../exporter/src/util/stats.js';
import { readSeriesCsv } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const LEVELS = [0.8, 0.95];

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function listCsv(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listCsv(join(dir, e.name)) : e.name.endsWith('.csv') ? [join(dir, e.name)] : []))
    .sort();
}

/** The last value, as forecast_bench.py's `naive`: seasonal naive with season 1. */
const naive: ModelFactory = {
  ...seasonalNaive,
  name: 'naive',
  fit: (series) => seasonalNaive.fit(series, { seasonLengths: [1] }),
};

const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'nan');

async function main(): Promise<void> {
  const data = resolve(flag('data', join(here, '../../shared/datasets/forecast')));
  const origins = Number(flag('origins', '5'));
  const speedRuns = Number(flag('speed-runs', '50'));
  const all: Record<string, ModelFactory> = { naive, ...MODELS };
  const names = flag('models', Object.keys(all).join(',')).split(',').filter(Boolean);
  for (const n of names)
    if (!all[n]) throw new Error(`--models: unknown model ${n} (known: ${Object.keys(all).join(', ')})`);
  const files = listCsv(data);
  if (files.length === 0) throw new Error(`--data: no .csv files under ${data}`);

  const results: Record<string, unknown> = {};
  const rows: string[] = [];
  for (const name of names) {
    const bySeries: OriginScore[][] = [];
    const perSeries: Record<string, OriginScore[]> = {};
    for (const file of files) {
      const { t, v } = readSeriesCsv(file);
      const step = t[1] - t[0];
      const scores = await backtestSeries(v, all[name], {
        origins,
        horizons: [Math.round(3600 / step), Math.round(14400 / step)],
        maxHistory: Math.round((7 * 86400) / step),
        season: Math.round(86400 / step),
        levels: LEVELS,
        step,
        start: t[0],
        now: () => performance.now(),
      });
      bySeries.push(scores);
      perSeries[relative(data, file)] = scores;
    }
    const summary = summarise(bySeries, [12, 48], LEVELS.length);
    results[name] = { summary, perSeries };
    for (const s of summary) {
      rows.push(
        [
          name.padEnd(15),
          `${s.horizon === 12 ? '1h' : '4h'}`.padEnd(4),
          fmt(s.maseMean).padStart(7),
          fmt(s.maseMedian).padStart(7),
          fmt(s.maseGeoMean).padStart(7),
          fmt(s.smape, 2).padStart(7),
          fmt(s.coverage[0]).padStart(6),
          fmt(s.coverage[1]).padStart(6),
          fmt(s.width[0], 2).padStart(6),
          fmt(s.width[1], 2).padStart(6),
          fmt(s.fitMsMedian, 2).padStart(8),
          fmt(s.fitMsMean, 2).padStart(8),
          String(s.fails).padStart(5),
        ].join(' '),
      );
    }
    process.stderr.write(`${name} done\n`);
  }
  console.log(
    `\nrolling origin: ${files.length} series, ${origins} origins, <= 7 days history, levels ${LEVELS.join('/')}`,
  );
  console.log(
    'model           h      MASE  MASEmd  MASEgm   sMAPE  cov80  cov95    w80    w95  fit_ms_md fit_ms_mean fails',
  );
  for (const r of rows) console.log(r);

  // speed: ets fit + 48-step forecast with bands on the last week (2,016 points) of each series
  const speed: Record<string, number> = {};
  if (speedRuns > 0 && all.ets) {
    const times: number[] = [];
    for (const file of files) {
      const { t, v } = readSeriesCsv(file);
      const week = v.slice(-2016);
      if (week.length < 2016) continue;
      for (let r = 0; r < speedRuns; r++) {
        const t0 = performance.now();
        const m = await all.ets.fit({ values: week, step: t[1] - t[0], start: t[0] });
        m.forecast(48, LEVELS);
        times.push(performance.now() - t0);
      }
    }
    times.sort((a, b) => a - b);
    speed.etsMedianMs = median(times);
    speed.etsP90Ms = times[Math.floor(times.length * 0.9)];
    speed.runs = times.length;
    console.log(
      `\nets fit + 48-step forecast on 2,016 points: median ${fmt(speed.etsMedianMs, 2)} ms, p90 ${fmt(speed.etsP90Ms, 2)} ms over ${times.length} runs`,
    );
  }

  const out = join(here, 'results', 'forecast.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${cpus().length} cores`,
        data,
        origins,
        levels: LEVELS,
        speed,
        models: results,
      },
      null,
      1,
    ),
  );
  console.log(`wrote ${out}`);
}

await main();
