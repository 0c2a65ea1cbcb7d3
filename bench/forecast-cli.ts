/**
 * Whole-command speed of `cloudpulse forecast --input DIR`, the way a user runs it: one
 * `node exporter/dist/cli/main.js forecast` process per model over the same folder of one-week
 * windows (2,016 points at 5 minutes, horizon 48, 80% and 95% bands), start-up included. The
 * models run in turn within each repeat, so the ratio against augurs `mstl` compares runs made
 * under the same load.
 *
 *   npm run build -w exporter
 *   nice -n 10 npx tsx bench/forecast-cli.ts [--data ../shared/datasets/forecast] [--series 1000]
 *       [--mstl-series N] [--repeats 3] [--models ets,auto,mstl] [--cli exporter/dist/cli/main.js]
 *       [--before DIR/cli/main.js]
 *
 * Two references from augurs MSTL, both whole processes on the same windows: `mstl` is
 * `cloudpulse forecast --model mstl` as served (bands calibrated on the input's last day, which
 * for mstl means four more augurs fits per series), and `mstl once` fits augurs MSTL once per
 * series with its own bands (the same compiled model, reader and output format, in a small
 * script): the cost of one augurs fit, the stricter of the two. Ratios are given against both.
 *
 * Windows are cut from the real series in --data at staggered offsets. `--mstl-series` runs the
 * mstl references on the first N windows only (default: all of them). `--before` also runs every
 * model but mstl from another build (e.g. one compiled from an older commit into /tmp), labelled
 * "(before)".
 * Prints a table and writes bench/results/forecast-cli.json. Each command runs --repeats times;
 * the median wall time is reported with the range.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, readSeriesCsv, writeResults } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = resolve(flag('data', join(here, '../../shared/datasets/forecast')));
const total = Number(flag('series', '1000'));
const mstlCount = Math.min(total, Number(flag('mstl-series', String(total))));
const repeats = Number(flag('repeats', '3'));
const models = flag('models', 'ets,auto,mstl,mstl-once').split(',');
const cli = resolve(flag('cli', join(here, '../exporter/dist/cli/main.js')));
const before = process.argv.includes('--before') ? resolve(flag('before', '')) : undefined;
const WEEK = 2016;
const HORIZON = 48;
const TARGET = 25;

for (const path of [cli, before]) {
  if (path && !existsSync(path)) {
    console.error(`${path} does not exist: build the exporter first (npm run build -w exporter)`);
    process.exit(2);
  }
}

function sources(): Array<{ t: number[]; v: number[] }> {
  const out: Array<{ t: number[]; v: number[] }> = [];
  for (const dir of readdirSync(data, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(data, dir.name)).sort()) {
      if (!f.endsWith('.csv')) continue;
      const s = readSeriesCsv(join(data, dir.name, f));
      if (s.t.length > WEEK) out.push(s);
    }
  }
  return out;
}

function writeWindows(dir: string, count: number, from: Array<{ t: number[]; v: number[] }>) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const s = from[i % from.length];
    const room = s.t.length - WEEK;
    const offset = Math.floor(((i / from.length) * 97 + i * 13) % (room + 1));
    const lines = ['timestamp,value'];
    for (let k = offset; k < offset + WEEK; k++) lines.push(`${s.t[k]},${s.v[k]}`);
    writeFileSync(join(dir, `s${String(i).padStart(4, '0')}.csv`), lines.join('\n') + '\n');
  }
}

/**
 * `mstl once`: augurs MSTL fitted once per file with its own bands, through the compiled model
 * and reader, written as `cloudpulse forecast` writes its results (argv: dist input output horizon).
 */
const MSTL_ONCE = `
const [dist, input, output, horizon] = process.argv.slice(1);
const { mkdirSync, writeFileSync } = await import('node:fs');
const { join } = await import('node:path');
const { listCsvInputs } = await import(dist + '/cli/inputs.js');
const { readCsvSeries } = await import(dist + '/series/csv.js');
const { mstl } = await import(dist + '/models/mstl.js');
const fmt = (v) => (Number.isFinite(v) ? String(+v.toPrecision(10)) : '');
mkdirSync(output, { recursive: true });
for (const item of listCsvInputs(input).inputs) {
  const { grid } = readCsvSeries(item.path);
  const fitted = await mstl.fit({ values: grid.values, start: grid.start, step: grid.step });
  const f = fitted.forecast(Number(horizon), [0.8, 0.95]);
  const last = grid.start + (grid.values.length - 1) * grid.step;
  const lines = ['timestamp,yhat,lo80,hi80,lo95,hi95'];
  for (let i = 0; i < f.point.length; i++) {
    const cells = [String(last + (i + 1) * grid.step), fmt(f.point[i])];
    for (const iv of f.intervals) cells.push(fmt(iv.lower[i]), fmt(iv.upper[i]));
    lines.push(cells.join(','));
  }
  writeFileSync(join(output, item.relative), lines.join('\\n') + '\\n');
}
`;

interface Run {
  label: string;
  model: string;
  main: string;
  input: string;
  series: number;
  seconds: number[];
  /** files the command reported as failed (it still writes the others) */
  failed: number;
}

/** One process, as a user runs it; returns wall seconds and how many files failed. */
function runOnce(run: Run, output: string): { seconds: number; failed: number } {
  rmSync(output, { recursive: true, force: true });
  const args =
    run.model === 'mstl-once'
      ? ['--input-type=module', '-e', MSTL_ONCE, dirname(dirname(run.main)), run.input, output, String(HORIZON)]
      : [
          run.main,
          'forecast',
          '--input',
          run.input,
          '--horizon',
          String(HORIZON),
          '--model',
          run.model,
          '--output',
          output,
        ];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  const written = existsSync(output) ? readdirSync(output).length : 0;
  if (r.status !== 0 && written === 0) throw new Error(`${run.label} failed:\n${r.stderr}`);
  return { seconds, failed: run.series - written };
}

/** Start-up alone: the same entry point printing the forecast usage (modules loaded, nothing read). */
function startup(main: string): number {
  const t0 = performance.now();
  spawnSync(process.execPath, [main, 'help', 'forecast'], { stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}x` : '-');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const work = mkdtempSync(join(tmpdir(), 'cloudpulse-cli-bench-'));
try {
  const src = sources();
  const all = join(work, 'all');
  const subset = mstlCount === total ? all : join(work, 'subset');
  writeWindows(all, total, src);
  if (subset !== all) writeWindows(subset, mstlCount, src);
  const runs: Run[] = [];
  for (const model of models) {
    const reference = model.startsWith('mstl');
    const input = reference ? subset : all;
    const series = reference ? mstlCount : total;
    runs.push({ label: model, model, main: cli, input, series, seconds: [], failed: 0 });
    if (before && !reference)
      runs.push({ label: `${model} (before)`, model, main: before, input, series, seconds: [], failed: 0 });
  }
  const startups: Record<string, number[]> = { [cli]: [] };
  if (before) startups[before] = [];
  const loadBefore = loadavg()[0];
  for (let r = 0; r < repeats; r++) {
    for (const main of Object.keys(startups)) startups[main].push(startup(main));
    for (const run of runs) {
      const once = runOnce(run, join(work, `out-${runs.indexOf(run)}`));
      run.seconds.push(once.seconds);
      run.failed = Math.max(run.failed, once.failed);
    }
  }
  const loadAfter = loadavg()[0];
  const msPer = (run: Run, s: number) => (s * 1000) / run.series;
  const referenceMs = (label: string) => {
    const run = runs.find((r) => r.label === label);
    return run ? msPer(run, median(run.seconds)) : NaN;
  };
  const mstlMs = referenceMs('mstl');
  const onceMs = referenceMs('mstl-once');
  const rows = runs.map((run) => {
    const seconds = median(run.seconds);
    const ms = msPer(run, seconds);
    return {
      label: run.label,
      model: run.model,
      cli: run.main,
      series: run.series,
      failed: run.failed,
      seconds,
      msPerSeries: ms,
      msPerSeriesRange: [msPer(run, Math.min(...run.seconds)), msPer(run, Math.max(...run.seconds))],
      mstlOverThis: mstlMs / ms,
      mstlOnceOverThis: onceMs / ms,
    };
  });
  const startupSeconds = Object.fromEntries(Object.entries(startups).map(([k, v]) => [k, median(v)]));

  console.log(
    `cloudpulse forecast --horizon ${HORIZON} over one-week windows, one process per command (start-up included), median of ${repeats}`,
  );
  console.log('label             series  failed  seconds  ms/series (range)     mstl / this  mstl once / this');
  for (const r of rows) {
    const range = `${r.msPerSeriesRange[0].toFixed(2)}-${r.msPerSeriesRange[1].toFixed(2)}`;
    console.log(
      `${r.label.padEnd(16)} ${String(r.series).padStart(7)} ${String(r.failed).padStart(7)} ${r.seconds.toFixed(2).padStart(8)} ${r.msPerSeries.toFixed(2).padStart(10)} (${range.padEnd(11)}) ${times(r.mstlOverThis).padStart(9)} ${times(r.mstlOnceOverThis).padStart(13)}`,
    );
  }
  for (const [main, s] of Object.entries(startupSeconds))
    console.log(`start-up (help forecast) ${s.toFixed(2)} s: ${main}`);
  const ets = rows.find((r) => r.label === 'ets');
  if (ets) {
    console.log(
      `ets per series against one augurs MSTL fit: ${times(ets.mstlOnceOverThis)}; against ` +
        `cloudpulse forecast --model mstl: ${times(ets.mstlOverThis)} (target >= ${TARGET}x)`,
    );
  }
  console.log(`load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
  writeResults('forecast-cli.json', {
    command: `npx tsx bench/forecast-cli.ts ${process.argv.slice(2).join(' ')}`.trim(),
    cpu: cpus()[0]?.model,
    node: process.version,
    loadAverage: { before: loadBefore, after: loadAfter },
    data,
    windows: { points: WEEK, series: total, mstlSeries: mstlCount },
    horizon: HORIZON,
    repeats,
    startupSeconds,
    rows,
    etsVsMstl: ets?.mstlOverThis,
    etsVsMstlOnce: ets?.mstlOnceOverThis,
    target: TARGET,
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
