/**
 * `npm run bench:scale`: CloudPulse at 1,000 and 10,000 series on this machine, against a real
 * Prometheus. 10,000 simulated node series are backfilled into a TSDB (7 days at 5 minutes, and a
 * second set of 1 day at 1 minute; both run 3 hours into the future so new points keep arriving),
 * Prometheus serves them, and the exporter is pointed at queries returning 1k and 10k label sets.
 * /metrics is scraped every 15 s throughout. A last scenario runs the issue's own configuration
 * (the embedded simulation with 3,334 instances x 3 entries) with a real Prometheus scraping the
 * exporter every 15 s, and reads `up` and `scrape_duration_seconds` from it.
 *
 * Usage: tsx bench/scale.ts [--scenarios load-1k,load-10k,...] [--steady SECONDS] [--jemalloc] [--data DIR [--prepare-only]] [--cpu-prof DIR]
 * Prints a table and writes bench/results/scale.json. `--cpu-prof DIR` has the exporter (every
 * thread) write V8 CPU profiles there; `bench/busy-periods.ts` lists what kept its main thread busy.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary, findJemalloc, freePort, ManagedProcess, stopAll, tempDir } from '../test/helpers/index.js';
import { CLI } from '../test/helpers/exporter.js';
import { backfill, blockCount, writeOpenMetrics, type SeriesSet } from './scale-data.js';
import { cpuShare, latencySummary, Observer, percentile, probeSummary, rssAt } from './scale-observe.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SCENARIOS = arg('scenarios', 'load-1k,load-10k,refit-10k,load-10k-1m,simulation-10k').split(',');
const STEADY = Number(arg('steady', '300'));
const JEMALLOC = process.argv.includes('--jemalloc');
const CPU_PROF = arg('cpu-prof', '');
const RESULTS = join(import.meta.dirname, 'results');

interface Scenario {
  name: string;
  series: number;
  /** the exporter's config; PROM is replaced with Prometheus' URL */
  config: string;
  /** seconds to observe after every series is forecast and warmed up */
  steady: number;
  /** scrape it with a real Prometheus too (every 15 s) */
  prometheusScrape?: boolean;
}

const entry = (name: string, query: string, step: string, lookback: string, refit = '1h') =>
  `  - {name: ${name}, query: '${query}', step: ${step}, lookback: ${lookback}, refit_interval: ${refit}}`;
const fromPrometheus = (entries: string) => `
source: {prometheus: {url: PROM, timeout: 2m}}
schedule: {interval: 1m, fit_workers: 2}
series:
${entries}
`;

const scenarios: Scenario[] = [
  {
    name: 'load-1k',
    series: 1000,
    config: fromPrometheus(entry('cpu', 'bench_cpu{group="g0"}', '5m', '7d')),
    steady: STEADY,
  },
  { name: 'load-10k', series: 10000, config: fromPrometheus(entry('cpu', 'bench_cpu', '5m', '7d')), steady: STEADY },
  {
    name: 'refit-10k',
    series: 10000,
    // every series refits within [3, 9) minutes of its first fit, then every 6: a steady refit load
    config: fromPrometheus(entry('cpu', 'bench_cpu', '5m', '7d', '6m')),
    steady: Math.max(STEADY, 600),
  },
  {
    name: 'load-10k-1m',
    series: 10000,
    config: fromPrometheus(entry('cpu', 'bench_cpu_1m', '1m', '1d')),
    steady: STEADY,
  },
  {
    name: 'simulation-10k',
    series: 10002,
    config: `
source: {simulation: {instances: 3334, seed: 42}}
schedule: {interval: 1m, fit_workers: 2}
# 10,002 label sets: past the default cap of 10,000
limits: {max_series: 10002}
series:
  - {name: node_cpu_utilisation, query: 'cpu', simulate: cpu, thresholds: [0.9]}
  - {name: node_memory_utilisation, query: 'mem', simulate: memory, thresholds: [0.9]}
  - {name: node_network_receive_bytes, query: 'net', simulate: network}
`,
    steady: STEADY,
    prometheusScrape: true,
  },
];

async function startPrometheus(dataDir: string, scrapeTarget?: string) {
  const port = await freePort();
  const dir = tempDir('bench-prom');
  const configFile = join(dir, 'prometheus.yml');
  const scrape = scrapeTarget
    ? [
        {
          job_name: 'cloudpulse',
          scrape_interval: '15s',
          scrape_timeout: '10s',
          static_configs: [{ targets: [scrapeTarget] }],
        },
      ]
    : [];
  writeFileSync(configFile, JSON.stringify({ global: { scrape_interval: '15s' }, scrape_configs: scrape }));
  const proc = new ManagedProcess('prometheus', findBinary('prometheus'), [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=30d',
  ]);
  proc.start();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (!proc.alive) throw new Error(`prometheus exited:\n${proc.logs()}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, proc };
    await sleep(500);
  }
  throw new Error('prometheus not ready after 5 minutes');
}

async function prepareData(dataDir: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const sets: SeriesSet[] = [
    { metric: 'bench_cpu', kind: 'cpu', count: 10000, step: 300, start: now - 7 * 86400, end: now + 3 * 3600 },
    { metric: 'bench_cpu_1m', kind: 'cpu', count: 10000, step: 60, start: now - 86400, end: now + 3 * 3600 },
  ];
  for (const set of sets) {
    const t0 = performance.now();
    const files = await writeOpenMetrics(set, tempDir(`om-${set.metric}`));
    const t1 = performance.now();
    await backfill(files, dataDir, (done) => {
      if (done % 10 === 0) console.error(`  ${set.metric}: ${done}/${files.length} windows backfilled`);
    });
    const samples = set.count * Math.round((set.end - set.start) / set.step);
    console.error(
      `${set.metric}: ${set.count} series, ${(samples / 1e6).toFixed(1)}M samples; text ${((t1 - t0) / 1000).toFixed(0)} s, promtool ${((performance.now() - t1) / 1000).toFixed(0)} s`,
    );
  }
  console.error(`TSDB ready: ${blockCount(dataDir)} blocks in ${dataDir}`);
}

async function runScenario(s: Scenario, promUrl: string | undefined, promPid: number | undefined, dataDir: string) {
  const port = await freePort();
  const dir = tempDir(`bench-${s.name}`);
  const configFile = join(dir, 'cloudpulse.yml');
  writeFileSync(configFile, s.config.replace('PROM', promUrl ?? ''));
  const exporter = new ManagedProcess(
    'cloudpulse',
    process.execPath,
    [
      // node refuses --cpu-prof in NODE_OPTIONS
      ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(CPU_PROF, s.name)}`] : []),
      CLI,
      'run',
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    // --jemalloc: the allocator the image preloads (Dockerfile)
    JEMALLOC ? { LD_PRELOAD: findJemalloc() } : {},
  );
  let scraper: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  if (s.prometheusScrape) scraper = await startPrometheus(join(dir, 'scraper-data'), `127.0.0.1:${port}`);
  const scrapeStart = Date.now() / 1000;
  exporter.start();
  // scrapes count from the moment the exporter listens (before that a scrape is refused, not slow)
  while (
    !(await fetch(`http://127.0.0.1:${port}/-/healthy`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (!exporter.alive) throw new Error(`exporter exited:\n${exporter.logs()}`);
    await sleep(50);
  }
  const obs = new Observer(`http://127.0.0.1:${port}`, exporter.pid!, '/metrics', promPid);
  obs.start(15);
  let milestones: ReturnType<Observer['milestones']> = {};
  const deadline = obs.now() + 1800;
  while (obs.now() < deadline) {
    await sleep(1000);
    if (!exporter.alive) throw new Error(`exporter exited:\n${exporter.logs()}`);
    milestones = obs.milestones(s.series);
    if (milestones.warm !== undefined) break;
  }
  const warm = milestones.warm ?? obs.now();
  console.error(`  ${s.name}: all forecast at ${milestones.allForecast?.toFixed(0)} s, warm at ${warm.toFixed(0)} s`);
  await sleep(s.steady * 1000);
  const end = obs.now();
  obs.stop();
  const plain = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.arrayBuffer());
  let prometheusView: Record<string, unknown> | undefined;
  if (scraper) {
    const q = async (query: string) => {
      const r = await fetch(`${scraper!.url}/api/v1/query?query=${encodeURIComponent(query)}`).then((x) => x.json());
      return (r as { data: { result: Array<{ value: [number, string] }> } }).data.result.map((x) => Number(x.value[1]));
    };
    const range = `${Math.ceil(Date.now() / 1000 - scrapeStart)}s`;
    prometheusView = {
      upMin: (await q(`min_over_time(up{job="cloudpulse"}[${range}])`))[0],
      scrapes: (await q(`count_over_time(up{job="cloudpulse"}[${range}])`))[0],
      durationP50: (await q(`quantile_over_time(0.5, scrape_duration_seconds{job="cloudpulse"}[${range}])`))[0],
      durationP99: (await q(`quantile_over_time(0.99, scrape_duration_seconds{job="cloudpulse"}[${range}])`))[0],
      durationMax: (await q(`max_over_time(scrape_duration_seconds{job="cloudpulse"}[${range}])`))[0],
      samplesScraped: (await q(`max_over_time(scrape_samples_scraped{job="cloudpulse"}[${range}])`))[0],
    };
    await scraper.proc.stop();
  }
  await exporter.stop();
  const steadyFrom = warm + 30;
  const gz = obs.scrapes.filter((x) => x.at >= steadyFrom && x.status === 200).map((x) => x.bytes);
  return {
    name: s.name,
    series: s.series,
    allForecastSeconds: milestones.allForecast,
    warmSeconds: milestones.warm,
    fullRefitSeconds: milestones.fullRefitSeconds,
    firstLoad: latencySummary(obs.scrapes.filter((x) => x.at < warm)),
    after: latencySummary(obs.scrapes.filter((x) => x.at >= warm)),
    probeFirstLoad: probeSummary(obs.statuses, 0, warm),
    probeAfter: probeSummary(obs.statuses, warm, Infinity),
    cpuShareSteady: cpuShare(obs.procs, steadyFrom, end),
    rssSteadyBytes: rssAt(obs.procs, steadyFrom, end),
    // memory freed after the first load reaches the OS minutes later (V8 and jemalloc give pages
    // back lazily): the last minute is the level the exporter settles at
    rssSettledBytes: rssAt(obs.procs, end - 60, end),
    metricsBytesPlain: plain.byteLength,
    metricsBytesGzip: percentile(gz, 0.5),
    prometheus: prometheusView,
    dataDir,
    // every scrape: [seconds since listening, ms, HTTP status]
    scrapes: obs.scrapes.map((x) => [Math.round(x.at * 10) / 10, Math.round(x.ms), x.status]),
    // progress every 5 s until warm: where the load time goes
    timeline: obs.timeline(warm),
  };
}

async function main() {
  // --data DIR keeps the TSDB for later runs (its data reaches 3 hours past its creation)
  const dataDir = arg('data', join(tempDir('bench-scale'), 'tsdb'));
  const needsData = SCENARIOS.some((n) => n !== 'simulation-10k');
  let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  if (needsData) {
    if (!existsSync(dataDir) || blockCount(dataDir) === 0) await prepareData(dataDir);
    else console.error(`reusing the TSDB in ${dataDir} (${blockCount(dataDir)} blocks)`);
    if (process.argv.includes('--prepare-only')) return;
    prom = await startPrometheus(dataDir);
  }
  const results = [];
  for (const name of SCENARIOS) {
    const s = scenarios.find((x) => x.name === name);
    if (!s) throw new Error(`unknown scenario ${name}; known: ${scenarios.map((x) => x.name).join(', ')}`);
    console.error(`running ${name} ...`);
    results.push(await runScenario(s, prom?.url, prom?.proc.pid, dataDir));
  }
  await prom?.proc.stop();
  const oneK = results.find((r) => r.name === 'load-1k');
  const tenK = results.find((r) => r.name === 'load-10k');
  const slope = oneK && tenK ? (tenK.rssSteadyBytes - oneK.rssSteadyBytes) / (tenK.series - oneK.series) : NaN;
  const settledSlope = oneK && tenK ? (tenK.rssSettledBytes - oneK.rssSettledBytes) / (tenK.series - oneK.series) : NaN;
  const report = {
    date: new Date().toISOString(),
    allocator: JEMALLOC ? 'jemalloc (LD_PRELOAD, as the image)' : 'glibc malloc',
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: totalmem() / 2 ** 30 },
    rssSlopeBytesPerSeries: slope,
    rssSettledSlopeBytesPerSeries: settledSlope,
    results,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'scale.json'), JSON.stringify(report, null, 2));
  const f = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
  console.log(
    '| scenario | series | all forecast (s) | warm (s) | full refit (s) | scrape p50/p99/max ms, first load | scrape p50/p99/max ms, after | failed | CPU steady (% core) | RSS (MB) | /metrics MB plain / gzip |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.series} | ${f(r.allForecastSeconds)} | ${f(r.warmSeconds)} | ${f(r.fullRefitSeconds)} | ${f(r.firstLoad.p50)} / ${f(r.firstLoad.p99)} / ${f(r.firstLoad.max)} | ${f(r.after.p50)} / ${f(r.after.p99)} / ${f(r.after.max)} | ${r.firstLoad.failed + r.after.failed} | ${f(r.cpuShareSteady * 100, 1)} | ${f(r.rssSteadyBytes / 1e6)} | ${f(r.metricsBytesPlain / 1e6, 1)} / ${f(r.metricsBytesGzip / 1e6, 2)} |`,
    );
    console.log(
      `  status probe every 1 s, p50/p99/max ms: first load ${f(r.probeFirstLoad.p50)} / ${f(r.probeFirstLoad.p99)} / ${f(r.probeFirstLoad.max)}, after ${f(r.probeAfter.p50)} / ${f(r.probeAfter.p99)} / ${f(r.probeAfter.max)}; main-thread event-loop delay max ms: first load ${f(r.probeFirstLoad.eventLoopDelayMaxMs)}, after ${f(r.probeAfter.eventLoopDelayMaxMs)}`,
    );
    if (r.prometheus) console.log(`  real Prometheus scraping every 15 s: ${JSON.stringify(r.prometheus)}`);
  }
  console.log(
    `RSS slope between 1k and 10k: ${f(slope / 1024, 1)} KB per series over the steady window, ${f(settledSlope / 1024, 1)} KB in its last minute`,
  );
  for (const r of results) console.log(`  ${r.name}: RSS in the last minute ${f(r.rssSettledBytes / 1e6)} MB`);
  await stopAll();
}

await main();
