/**
 * `npm run bench:forecast`: rolling-origin backtest of registered models (plus the naive
 * last-value reference) over the real server series in ../shared/datasets/forecast, with the
 * protocol of ../shared/tools/forecast_bench.py (5 origins, <= 2,016 points of history, 1 h and
 * 4 h from one 4 h forecast). Models are served as `cloudpulse forecast` serves them: bands
 * calibrated on each history's own last day (models/tail-calibration.ts; auto and ensemble do it
 * themselves). With --before REF, the same models of an earlier commit run in the same process
 * (served as that commit's forecast command did: its own bands), for before/after figures on one
 * machine state. Also times auto's fit + 48-step forecast on the last 2,016 points of every series,
 * interleaving the two versions. Prints tables, writes bench/results/forecast.json.
 *
 *   tsx bench/forecast.ts [--data DIR] [--models a,b] [--origins 5] [--before REF]
 *                         [--speed-runs 5] [--own-bands]
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MODELS } from '../exporter/src/models/index.js';
import type { ModelFactory } from '../exporter/src/models/types.js';
import { seasonalNaive } from '../exporter/src/models/seasonal-naive.js';
import { calibrateOnTail } from '../exporter/src/models/tail-calibration.js';
import { backtestSeries, summarise, type OriginScore } from '../exporter/src/evaluation/rolling-origin.js';
import { median } from '../exporter/src/util/stats.js';
import { coverageSpread, flag, listCsv, readSeriesCsv, writeResults } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const LEVELS = [0.8, 0.95];

/** The last value, as forecast_bench.py's `naive`: seasonal naive with season 1. */
function lastValue(base: ModelFactory): ModelFactory {
  return { ...base, name: 'naive', fit: (series) => base.fit(series, { seasonLengths: [1] }) };
}

/** A factory served as `cloudpulse forecast` serves it. */
function served(factory: ModelFactory): ModelFactory {
  return { ...factory, fit: (series, options) => calibrateOnTail(factory, series, options) };
}

/** The registry of commit `ref`, loaded from a temporary checkout of exporter/src. */
async function registryAt(ref: string): Promise<{ models: Record<string, ModelFactory>; cleanup: () => void }> {
  const root = execSync('git rev-parse --show-toplevel', { cwd: here }).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-before-'));
  execSync(`git archive ${ref} exporter/src exporter/package.json | tar -x -C ${dir}`, { cwd: root });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const mod = (await import(pathToFileURL(join(dir, 'exporter/src/models/index.js')).href)) as {
    MODELS: Record<string, ModelFactory>;
  };
  return { models: mod.MODELS, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'nan');

async function main(): Promise<void> {
  const data = resolve(flag('data', join(here, '../../shared/datasets/forecast')));
  const origins = Number(flag('origins', '5'));
  const speedRuns = Number(flag('speed-runs', '5'));
  const before = flag('before', '');
  const ownBands = process.argv.includes('--own-bands');
  const current: Record<string, ModelFactory> = { naive: lastValue(seasonalNaive), ...MODELS };
  const names = flag('models', 'naive,seasonal_naive,ets,sarima,auto').split(',').filter(Boolean);
  for (const n of names)
    if (!current[n]) throw new Error(`--models: unknown model ${n} (known: ${Object.keys(current).join(', ')})`);
  const files = listCsv(data);
  if (files.length === 0) throw new Error(`--data: no .csv files under ${data}`);
  const previous = before ? await registryAt(before) : undefined;

  const runs: Array<{ label: string; factory: ModelFactory }> = names.map((n) => ({
    label: n,
    factory: ownBands || n === 'naive' ? current[n] : served(current[n]),
  }));
  if (previous) {
    const old: Record<string, ModelFactory> = previous.models;
    for (const n of names) if (old[n] && n !== 'naive') runs.push({ label: `${n}@${before}`, factory: old[n] });
  }

  const results: Record<string, unknown> = {};
  const rows: string[] = [];
  for (const { label, factory } of runs) {
    const bySeries: OriginScore[][] = [];
    const perSeries: Record<string, OriginScore[]> = {};
    for (const file of files) {
      const { t, v } = readSeriesCsv(file);
      const step = t[1] - t[0];
      const scores = await backtestSeries(v, factory, {
        origins,
        horizons: [Math.round(3600 / step), Math.round(14400 / step)],
        maxHistory: 2016,
        season: Math.round(86400 / step),
        levels: LEVELS,
        step,
        start: t[0],
        now: () => performance.now(),
      });
      bySeries.push(scores);
      perSeries[relative(data, file)] = scores;
    }
    const step = readSeriesCsv(files[0]).t;
    const horizons = [Math.round(3600 / (step[1] - step[0])), Math.round(14400 / (step[1] - step[0]))];
    const summary = summarise(bySeries, horizons, LEVELS.length);
    const spread = horizons.map((h) =>
      LEVELS.map((level, k) => {
        const cov = bySeries.map((scores) => {
          const at = scores.filter((s) => s.horizon === h);
          return at.reduce((a, s) => a + s.coverage[k], 0) / at.length;
        });
        return coverageSpread(cov, level);
      }),
    );
    results[label] = { summary, spread, perSeries };
    summary.forEach((s, j) => {
      rows.push(
        [
          label.padEnd(22),
          (j === 0 ? '1h' : '4h').padEnd(3),
          fmt(s.maseMean).padStart(6),
          fmt(s.maseMedian).padStart(6),
          fmt(s.maseGeoMean).padStart(6),
          fmt(s.coverage[0]).padStart(6),
          fmt(s.coverage[1]).padStart(6),
          `${fmt(spread[j][0].p10, 2)}-${fmt(spread[j][0].p90, 2)}`.padStart(10),
          `${fmt(spread[j][1].p10, 2)}-${fmt(spread[j][1].p90, 2)}`.padStart(10),
          fmt(spread[j][0].inside, 2).padStart(5),
          fmt(spread[j][1].inside, 2).padStart(5),
          fmt(s.width[0], 2).padStart(6),
          fmt(s.width[1], 2).padStart(6),
          fmt(s.msisGeoMean[1], 2).padStart(8),
          fmt(s.fitMsMedian, 2).padStart(8),
          String(s.fails).padStart(4),
        ].join(' '),
      );
    });
    process.stderr.write(`${label} done\n`);
  }
  console.log(`\nrolling origin: ${files.length} series of ${data}, ${origins} origins, <= 2,016 points of history`);
  console.log(
    'model                  h    MASE  MASEmd MASEgm  cov80  cov95  p10-p90/80 p10-p90/95 in80  in95    w80    w95 MSIS95gm fit_ms_md fails',
  );
  for (const r of rows) console.log(r);

  // speed: auto fit + 48-step forecast on the last 2,016 points, current and earlier version interleaved
  const speed: Record<string, number> = {};
  if (speedRuns > 0) {
    const versions: Array<[string, ModelFactory]> = [['auto', MODELS.auto]];
    if (previous) versions.push([`auto@${before}`, previous.models.auto]);
    const times: Record<string, number[]> = Object.fromEntries(versions.map(([n]) => [n, []]));
    const sizes: Record<string, number[]> = {};
    for (let r = 0; r < speedRuns; r++) {
      for (const file of files) {
        const { t, v } = readSeriesCsv(file);
        const week = v.slice(-2016);
        if (week.length < 2016) continue;
        for (const [name, factory] of r % 2 === 0 ? versions : [...versions].reverse()) {
          const t0 = performance.now();
          const m = await factory.fit({ values: week, step: t[1] - t[0], start: t[0] });
          m.forecast(48, LEVELS);
          times[name].push(performance.now() - t0);
          if (r === 0) (sizes[name] ??= []).push(JSON.stringify(m.toJSON()).length);
        }
      }
    }
    console.log(`\nauto fit + 48-step forecast on 2,016 points (${speedRuns} runs over every series, interleaved):`);
    for (const [name] of versions) {
      const sorted = [...times[name]].sort((a, b) => a - b);
      speed[`${name} median ms`] = median(sorted);
      speed[`${name} p90 ms`] = sorted[Math.floor(sorted.length * 0.9)];
      const bytes = [...sizes[name]].sort((a, b) => a - b);
      speed[`${name} median state bytes`] = median(bytes);
      speed[`${name} largest state bytes`] = bytes[bytes.length - 1];
      console.log(
        `  ${name.padEnd(20)} median ${fmt(median(sorted), 2)} ms, p90 ${fmt(sorted[Math.floor(sorted.length * 0.9)], 2)} ms; ` +
          `state median ${median(bytes)} B, largest ${bytes[bytes.length - 1]} B`,
      );
    }
    if (previous) {
      const ratio = speed['auto median ms'] / speed[`auto@${before} median ms`];
      speed.ratio = ratio;
      console.log(`  now / before: ${fmt(ratio, 2)}`);
    }
  }
  previous?.cleanup();

  writeResults('forecast.json', {
    data,
    origins,
    before,
    levels: LEVELS,
    speed,
    models: results,
  });
}

await main();
