/**
 * Whole-command speed of `cloudpulse forecast --input DIR` (start-up included), per series:
 * `ets` over a folder of N one-week series (2,016 points at 5 minutes) against augurs `mstl`
 * over a subset of the same folder, each in one process, in the same run.
 *
 *   tsx bench/forecast-cli.ts [--data ../shared/datasets/forecast] [--series 1000] [--mstl-series 200] [--repeats 3]
 *
 * Series are one-week windows cut from the real series in --data at staggered offsets. Prints a
 * table and writes bench/results/forecast-cli.json. Each command runs --repeats times; the median
 * wall time is reported (this machine's disk and neighbours make single runs noisy).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSeriesCsv } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const data = resolve(flag('data', join(here, '../../shared/datasets/forecast')));
const total = Number(flag('series', '1000'));
const mstlCount = Number(flag('mstl-series', '200'));
const repeats = Number(flag('repeats', '3'));
const WEEK = 2016;
const cli = join(here, '../exporter/bin/cloudpulse.js');

function sources(): Array<{ t: number[]; v: number[] }> {
  const out: Array<{ t: number[]; v: number[] }> = [];
  for (const dir of readdirSync(data, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(data, dir.name))) {
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

function timeCommand(model: string, input: string, output: string): number {
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) runs.push(timeOnce(model, input, `${output}-${r}`));
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)];
}

function timeOnce(model: string, input: string, output: string): number {
  const t0 = performance.now();
  execFileSync(
    process.execPath,
    [cli, 'forecast', '--input', input, '--horizon', '48', '--model', model, '--output', output],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return (performance.now() - t0) / 1000;
}

const work = mkdtempSync(join(tmpdir(), 'cloudpulse-cli-bench-'));
try {
  const src = sources();
  const all = join(work, 'all');
  const subset = join(work, 'subset');
  writeWindows(all, total, src);
  writeWindows(subset, mstlCount, src);
  const rows = [
    { model: 'ets', series: total, seconds: timeCommand('ets', all, join(work, 'out-ets')) },
    { model: 'mstl', series: mstlCount, seconds: timeCommand('mstl', subset, join(work, 'out-mstl')) },
    { model: 'auto', series: mstlCount, seconds: timeCommand('auto', subset, join(work, 'out-auto')) },
  ].map((r) => ({ ...r, msPerSeries: (r.seconds * 1000) / r.series }));
  const ratio = rows[1].msPerSeries / rows[0].msPerSeries;
  console.log(`model  series  seconds  ms/series (whole command, start-up included; median of ${repeats})`);
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(6)} ${String(r.series).padStart(6)} ${r.seconds.toFixed(2).padStart(8)} ${r.msPerSeries.toFixed(2).padStart(10)}`,
    );
  }
  console.log(`ets is ${ratio.toFixed(1)}x faster per series than augurs mstl (target >= 20x)`);
  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'forecast-cli.json'),
    JSON.stringify({ date: new Date().toISOString(), data, repeats, rows, etsVsMstl: ratio }, null, 2) + '\n',
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
