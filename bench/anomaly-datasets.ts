/**
 * The anomaly benchmark's data sets, built once into the bench cache:
 *
 * - nab: the 28 NAB files of shared/datasets/nab (AWS CloudWatch and artificial, 5-minute steps);
 * - sim-1m, sim-5m, sim-1h: `cloudpulse simulate` at 1-minute, 5-minute and hourly steps, every
 *   shape (cpu, memory, network, business-hours requests, a counter, a temperature sensor);
 * - fc-5m, fc-1h: the non-NAB real series of shared/datasets/forecast (Bitbrains VMs, a Google
 *   cell) with anomalies injected by bench/anomaly-inject.ts, as they are and averaged to 1 hour.
 *
 * Every set is in NAB layout with NAB-sized label windows, so nab_score.py scores all of them.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateCommand, labelWindows, nabTimestamp } from '../exporter/src/cli/simulate.js';
import { METRIC_KINDS } from '../exporter/src/sources/simulation/anomalies.js';
import { CACHE, NAB, SHARED, type Dataset } from './anomaly-lib.js';
import { downsample, injectInto } from './anomaly-inject.js';
import { readSeriesCsv } from './forecast-csv.js';

/** bump when a recipe below changes, so cached sets are rebuilt */
const RECIPE = 2;
const root = join(CACHE, `datasets-v${RECIPE}`);

const SIMULATIONS = [
  { name: 'sim-1m', step: '1m', days: 7, seed: 101, rate: 0.4 },
  { name: 'sim-5m', step: '5m', days: 14, seed: 102, rate: 0.2 },
  // anomalies last 12 times longer at 1 h (see simulate --help); 0.03 a day gives about 3 a file
  { name: 'sim-1h', step: '1h', days: 90, seed: 103, rate: 0.03 },
];

const FORECAST_SOURCES = ['bitbrains_rnd', 'google2019'];

async function simulated(spec: (typeof SIMULATIONS)[number]): Promise<Dataset> {
  const dir = join(root, spec.name);
  const ds = { name: spec.name, data: join(dir, 'data'), windows: join(dir, 'labels/combined_windows.json') };
  if (existsSync(ds.windows)) return ds;
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const args = ['--out', dir, '--step', spec.step, '--days', String(spec.days), '--seed', String(spec.seed)];
  args.push('--instances', '2', '--kinds', METRIC_KINDS.join(','), '--anomaly-rate', String(spec.rate));
  await simulateCommand.run(args, { stdout: sink, stderr: sink, env: {}, interactive: false } as never);
  return ds;
}

function injected(name: string, factor: number): Dataset {
  const dir = join(root, name);
  const ds = { name, data: join(dir, 'data'), windows: join(dir, 'labels/combined_windows.json') };
  if (existsSync(ds.windows)) return ds;
  const windows: Record<string, [string, string][]> = {};
  const truth: object[] = [];
  let seed = 1;
  for (const source of FORECAST_SOURCES) {
    const from = join(SHARED, 'datasets/forecast', source);
    mkdirSync(join(ds.data, source), { recursive: true });
    for (const file of readdirSync(from)
      .filter((f) => f.endsWith('.csv'))
      .sort()) {
      const raw = readSeriesCsv(join(from, file));
      const { t, v } = factor > 1 ? downsample(raw.t, raw.v, factor) : raw;
      const step = t[1] - t[0];
      const { values, injections } = injectInto(v, 86400 / step, seed++);
      const key = `${source}/${file}`;
      const lines = t.map((x, i) => `${nabTimestamp(x)},${Number(values[i].toPrecision(8))}`);
      writeFileSync(join(ds.data, key), `timestamp,value\n${lines.join('\n')}\n`);
      const spans = injections.map((a) => ({ start: t[a.from], end: t[a.to] + step }));
      windows[key] = labelWindows(spans, t[0], t[t.length - 1], step).map(([s, e]) => [
        `${nabTimestamp(s)}.000000`,
        `${nabTimestamp(e)}.000000`,
      ]);
      for (const a of injections) truth.push({ file: key, ...a, start: nabTimestamp(t[a.from]) });
    }
  }
  mkdirSync(join(dir, 'labels'), { recursive: true });
  writeFileSync(join(dir, 'labels/anomalies.json'), JSON.stringify(truth, null, 2) + '\n');
  writeFileSync(ds.windows, JSON.stringify(windows, null, 2) + '\n');
  return ds;
}

/** every data set by name, built on first use */
export async function datasets(names?: string[]): Promise<Dataset[]> {
  const all: Record<string, () => Promise<Dataset> | Dataset> = {
    nab: () => NAB,
    ...Object.fromEntries(SIMULATIONS.map((s) => [s.name, () => simulated(s)])),
    'fc-5m': () => injected('fc-5m', 1),
    'fc-1h': () => injected('fc-1h', 12),
  };
  const out: Dataset[] = [];
  for (const name of names ?? Object.keys(all)) {
    if (!all[name]) throw new Error(`unknown data set "${name}" (known: ${Object.keys(all).join(', ')})`);
    out.push(await all[name]());
  }
  return out;
}
