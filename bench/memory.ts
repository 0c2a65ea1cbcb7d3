/**
 * Bytes per series by component: what one worker holds for each series it owns, measured in a
 * worker run inline (pipeline/worker.ts, the same code a worker thread runs) on the embedded
 * simulation's series (the `simulation-10k` configuration of bench/scale.ts scaled down: CPU,
 * memory and network entries, 7 days at 5 minutes loaded, then `--cycles` live cycles of one
 * new point each, so accuracy, calibration and the view's past forecasts are in use).
 *
 * Three measurements, each in a fresh node process per allocator (glibc malloc, and jemalloc
 * preloaded as the image does):
 *
 * - per component, structurally: the typed-array bytes, ArrayBuffers, typed-array views and JS
 *   objects reachable from each part of a unit (a sample of units; shared config not counted);
 * - per component, retained: heap and external bytes freed when that part is let go from every
 *   other unit (after a full collection), so JS objects count too;
 * - per process: heap, external and resident memory after a full collection, per series, at two
 *   sizes (`--series` and a quarter of it): the slope between them leaves fixed costs out, as
 *   bench/scale.ts's RSS slope does between 1k and 10k.
 *
 * The records a worker publishes are kept in a map standing in for the main thread's store; they
 * are measured as their own component ("records": the copies that cross to the main thread).
 *
 * Usage: npm run bench:memory -- [--series 3000] [--cycles 12] [--allocators glibc,jemalloc]
 * (that is node --expose-gc --import tsx bench/memory.ts).
 * Prints a table and writes bench/results/memory.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { parseConfig } from '../exporter/src/config/load.js';
import type { SeriesUnit } from '../exporter/src/pipeline/series-unit.js';
import { SeriesWorker } from '../exporter/src/pipeline/worker.js';
import type { WorkerCommand } from '../exporter/src/pipeline/worker-messages.js';
import { ingestOf } from '../exporter/src/pipeline/ingest-batch.js';
import { anomalyPlan, instanceLabels } from '../exporter/src/sources/simulation.js';
import { alignedGrid, simulateSeries } from '../exporter/src/sources/simulation/generator.js';
import type { MetricKind } from '../exporter/src/sources/simulation/anomalies.js';
import type { SeriesRecord } from '../exporter/src/store/record.js';
import { findJemalloc } from '../test/helpers/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

const STEP = 300;
const DAYS = 7;
/** series per ingest command: a first load sends chunks of a few thousand */
const BATCH = 500;
/** units walked for the structural count */
const SAMPLE = 30;

const CONFIG = `
source: {simulation: {instances: 3, seed: 42}}
schedule: {interval: 1m, fit_workers: 1}
limits: {max_series: 1000000}
series:
  - {name: node_cpu_utilisation, query: cpu, simulate: cpu, thresholds: [0.9]}
  - {name: node_memory_utilisation, query: mem, simulate: memory, thresholds: [0.9]}
  - {name: node_network_receive_bytes, query: net, simulate: network}
`;
const KINDS: MetricKind[] = ['cpu', 'memory', 'network'];

interface Tally {
  bufferBytes: number;
  buffers: number;
  views: number;
  objects: number;
}

/** what is reachable from `root` and not yet in `seen`: typed-array bytes, buffers, views, objects */
function walk(root: unknown, seen: Set<unknown>): Tally {
  const t: Tally = { bufferBytes: 0, buffers: 0, views: 0, objects: 0 };
  const stack: unknown[] = [root];
  const buffer = (b: ArrayBufferLike) => {
    if (seen.has(b)) return;
    seen.add(b);
    t.buffers++;
    t.bufferBytes += b.byteLength;
  };
  while (stack.length > 0) {
    const o = stack.pop();
    if (o === null || typeof o !== 'object' || seen.has(o)) continue;
    seen.add(o);
    if (ArrayBuffer.isView(o)) {
      t.views++;
      buffer(o.buffer);
      continue;
    }
    if (o instanceof ArrayBuffer) {
      buffer(o);
      continue;
    }
    t.objects++;
    if (o instanceof Map) for (const [k, v] of o) stack.push(k, v);
    else if (o instanceof Set) for (const v of o) stack.push(v);
    else if (Array.isArray(o)) for (const v of o) stack.push(v);
    else for (const d of Object.values(Object.getOwnPropertyDescriptors(o))) if ('value' in d) stack.push(d.value);
  }
  return t;
}

type Loose = Record<string, unknown>;
/** the parts of a unit, as the table names them; each is a path from the unit */
const PARTS: Array<[string, (u: Loose) => [Loose, string]]> = [
  ['history', (u) => [u, 'history']],
  ['detector (scorer)', (u) => [u, 'scorer']],
  ['accuracy', (u) => [u, 'accuracy']],
  ['band calibration', (u) => [u.served as Loose, 'calibration']],
  ['model', (u) => [u.served as Loose, 'model']],
  ['view memory', (u) => [u, 'view']],
  ['forecast path', (u) => [u, 'forecast']],
];

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

function memory() {
  gc();
  const h = getHeapStatistics();
  return {
    heap: h.used_heap_size,
    heapPhysical: h.total_physical_size,
    external: h.external_memory,
    rss: process.memoryUsage().rss,
  };
}

/** memory once freed pages had time to go back (jemalloc purges dirty pages over about 10 s) */
async function settledMemory() {
  memory();
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  return memory();
}

interface ChildResult {
  series: number;
  loadSeconds: number;
  cycleSeconds: number;
  perSeries: { heap: number; heapPhysical: number; external: number; rss: number };
  parts: Array<{ part: string } & Tally & { retainedHeap: number; retainedExternal: number }>;
}

async function child(series: number, cycles: number): Promise<ChildResult> {
  const config = parseConfig(CONFIG, 'bench/memory.ts');
  const records = new Map<string, SeriesRecord>();
  const worker = new SeriesWorker({
    config,
    publish: (u) => {
      for (const r of u.records) records.set(r.key, r);
    },
  });
  const ask = (cmd: WorkerCommand) => new Promise<unknown>((resolve) => worker.submit(cmd, resolve));
  const plan = anomalyPlan(config.source.simulation!, 0);
  const end = Math.floor(Date.UTC(2026, 11, 1) / 1000 / STEP) * STEP;
  const perEntry = Math.ceil(series / config.series.length);
  // the generator caches a profile per instance (the simulation source's memory, not a worker's)
  for (const kind of KINDS) for (let i = 0; i < perEntry; i++) simulateSeries(plan, kind, i, [end]);
  const before = await settledMemory();
  const t0 = performance.now();
  // the first load: each entry's series in batches, then everything fitted and scored
  for (const [e, entry] of config.series.entries()) {
    const grid = alignedGrid(end - DAYS * 86400 + STEP, end, STEP);
    for (let from = 0; from < perEntry; from += BATCH) {
      const items = [];
      for (let i = from; i < Math.min(perEntry, from + BATCH); i++)
        items.push({ labels: instanceLabels(i), timestamps: grid, values: simulateSeries(plan, KINDS[e], i, grid) });
      worker.submit({
        type: 'ingest',
        entry: entry.name,
        now: end + 60,
        simulated: true,
        partial: false,
        batch: ingestOf(entry.name, items),
      });
    }
  }
  await ask({ type: 'idle' });
  const t1 = performance.now();
  // live cycles: one new point per series each
  for (let c = 1; c <= cycles; c++) {
    const t = end + c * STEP;
    for (const [e, entry] of config.series.entries()) {
      const items = [];
      for (let i = 0; i < perEntry; i++)
        items.push({ labels: instanceLabels(i), timestamps: [t], values: simulateSeries(plan, KINDS[e], i, [t]) });
      worker.submit({
        type: 'ingest',
        entry: entry.name,
        now: t + 60,
        simulated: true,
        partial: false,
        batch: ingestOf(entry.name, items),
      });
    }
    await ask({ type: 'idle' });
  }
  const t2 = performance.now();
  const units = [...(worker as unknown as { units: Map<string, SeriesUnit> }).units.values()] as unknown as Loose[];
  const n = units.length;
  const after = await settledMemory();
  const perSeries = {
    heap: (after.heap - before.heap) / n,
    heapPhysical: (after.heapPhysical - before.heapPhysical) / n,
    external: (after.external - before.external) / n,
    rss: (after.rss - before.rss) / n,
  };

  // structural count on a sample, shared things (config, renderer, callbacks) counted as seen
  const sample = units.slice(0, SAMPLE);
  const rest = units.slice(SAMPLE);
  const shared = new Set<unknown>([worker]);
  for (const u of sample) for (const k of ['entry', 'renderer', 'events', 'labels']) shared.add(u[k]);
  const tallies = PARTS.map(([part, at]) => {
    const seen = new Set(shared);
    const sum: Tally = { bufferBytes: 0, buffers: 0, views: 0, objects: 0 };
    for (const u of sample) {
      const [o, k] = at(u);
      const t = walk(o[k], seen);
      for (const key of Object.keys(sum) as Array<keyof Tally>) sum[key] += t[key];
    }
    return { part, sum };
  });
  const recordTally = walk([...records.values()], new Set(shared));
  const unitTally = walk(sample, new Set(shared));

  // retained bytes: let each part go from every unit outside the sample, in turn
  const parts = [];
  let m = memory();
  for (const [i, [part, at]] of PARTS.entries()) {
    for (const u of rest) {
      const [o, k] = at(u);
      o[k] = undefined;
    }
    const next = memory();
    parts.push({
      part,
      ...scaled(tallies[i].sum, sample.length),
      retainedHeap: (m.heap - next.heap) / rest.length,
      retainedExternal: (m.external - next.external) / rest.length,
    });
    m = next;
  }
  records.clear();
  let next = memory();
  parts.push({
    part: 'records (to the main thread)',
    ...scaled(recordTally, n),
    retainedHeap: (m.heap - next.heap) / n,
    retainedExternal: (m.external - next.external) / n,
  });
  m = next;
  const map = (worker as unknown as { units: Map<string, SeriesUnit> }).units;
  for (const u of rest) map.delete(u.key as string);
  next = memory();
  const partsSum = (k: keyof Tally) => tallies.reduce((a, x) => a + x.sum[k], 0);
  parts.push({
    part: 'rest of the unit',
    ...scaled(
      {
        bufferBytes: unitTally.bufferBytes - partsSum('bufferBytes'),
        buffers: unitTally.buffers - partsSum('buffers'),
        views: unitTally.views - partsSum('views'),
        objects: unitTally.objects - partsSum('objects'),
      },
      sample.length,
    ),
    retainedHeap: (m.heap - next.heap) / rest.length,
    retainedExternal: (m.external - next.external) / rest.length,
  });
  return {
    series: n,
    loadSeconds: (t1 - t0) / 1000,
    cycleSeconds: (t2 - t1) / 1000 / Math.max(1, cycles),
    perSeries,
    parts,
  };
}

function scaled(t: Tally, n: number): Tally {
  return { bufferBytes: t.bufferBytes / n, buffers: t.buffers / n, views: t.views / n, objects: t.objects / n };
}

function runChild(series: number, cycles: number, allocator: string): ChildResult {
  const env = { ...process.env };
  if (allocator === 'jemalloc') env.LD_PRELOAD = findJemalloc();
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      import.meta.filename,
      '--child',
      '--series',
      String(series),
      '--cycles',
      String(cycles),
    ],
    { env, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

async function main() {
  const series = Number(arg('series', '3000'));
  const cycles = Number(arg('cycles', '12'));
  if (process.argv.includes('--child')) {
    console.log(JSON.stringify(await child(series, cycles)));
    return;
  }
  const allocators = arg('allocators', 'glibc,jemalloc').split(',');
  const small = Math.round(series / 4);
  const results = [];
  for (const allocator of allocators) {
    console.error(`${allocator}: ${small} and ${series} series ...`);
    const a = runChild(small, cycles, allocator);
    const b = runChild(series, cycles, allocator);
    const slope = (k: keyof ChildResult['perSeries']) =>
      (b.perSeries[k] * b.series - a.perSeries[k] * a.series) / (b.series - a.series);
    results.push({
      allocator,
      small: a,
      large: b,
      slope: {
        heap: slope('heap'),
        heapPhysical: slope('heapPhysical'),
        external: slope('external'),
        rss: slope('rss'),
      },
    });
  }
  const report = { date: new Date().toISOString(), step: STEP, days: DAYS, cycles, results };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'memory.json'), JSON.stringify(report, null, 2));
  const kb = (v: number) => (v / 1024).toFixed(1);
  const first = results[0].large;
  console.log(
    `per series, one worker, ${first.series} series (the ${results[0].allocator} run; the other allocator's parts are in bench/results/memory.json)`,
  );
  console.log(
    '| part | typed-array KB | ArrayBuffers | views | JS objects | retained heap KB | retained external KB |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const p of first.parts)
    console.log(
      `| ${p.part} | ${kb(p.bufferBytes)} | ${p.buffers.toFixed(1)} | ${p.views.toFixed(1)} | ${p.objects.toFixed(0)} | ${kb(p.retainedHeap)} | ${kb(p.retainedExternal)} |`,
    );
  console.log(
    '| allocator | series | load s | cycle s | heap used / committed KB/series | external KB/series | RSS KB/series | slope heap used / committed / external / RSS KB |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results)
    for (const x of [r.small, r.large])
      console.log(
        `| ${r.allocator} | ${x.series} | ${x.loadSeconds.toFixed(1)} | ${x.cycleSeconds.toFixed(2)} | ${kb(x.perSeries.heap)} / ${kb(x.perSeries.heapPhysical)} | ${kb(x.perSeries.external)} | ${kb(x.perSeries.rss)} | ${x === r.large ? `${kb(r.slope.heap)} / ${kb(r.slope.heapPhysical)} / ${kb(r.slope.external)} / ${kb(r.slope.rss)}` : ''} |`,
      );
}

await main();
