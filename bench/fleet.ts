/**
 * `npm run bench:fleet`: CloudPulse beyond one machine, each member a separate `cloudpulse run`
 * process on this machine, run the way the README runs it (the compiled CLI, one flag per member).
 *
 * - `sim-100k`: 100,002 simulated series (33,334 instances x 3 entries) over 4 members at
 *   replication 1, scraped every 15 s each: when every series is forecast, each member's scrape
 *   latency during the first fits, RSS, and that every series is owned exactly once. A smaller
 *   fleet (`sim-20k`, 20,001 series) run the same way gives each member's RSS slope per owned
 *   series; `sim-20k-r2` checks that every series is owned exactly twice at replication 2.
 * - `prom-30k`: a real Prometheus backfilled with promtool (30,000 series x 7 days at 5 minutes),
 *   three members and, for comparison, one process: time until every series is forecast, bytes
 *   received from Prometheus per member against the one process, and remote write from the three
 *   members into a second real Prometheus (`--web.enable-remote-write-receiver`): samples per
 *   second sustained, samples dropped and failed.
 *
 * Usage: tsx bench/fleet.ts [--scenarios sim-20k,sim-20k-r2,sim-100k,prom-30k] [--jemalloc] [--data DIR] [--steady S]
 * Prints a table and writes bench/results/fleet.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary, findJemalloc, freePort, ManagedProcess, stopAll, tempDir } from '../test/helpers/index.js';
import { CLI } from '../test/helpers/exporter.js';
import { backfill, blockCount, writeOpenMetrics } from './scale-data.js';
import { latencySummary, Observer, rssAt } from './scale-observe.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SCENARIOS = arg('scenarios', 'sim-20k,sim-20k-r2,sim-100k,prom-30k').split(',');
const STEADY = Number(arg('steady', '120'));
const JEMALLOC = process.argv.includes('--jemalloc');
const RESULTS = join(import.meta.dirname, 'results');

interface Member {
  index: number;
  url: string;
  proc: ManagedProcess;
  obs: Observer;
}

async function startProm(dataDir: string, extra: string[] = []) {
  const port = await freePort();
  const configFile = join(tempDir('fleet-prom'), 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify({ global: { scrape_interval: '15s' } }));
  const proc = new ManagedProcess('prometheus', findBinary('prometheus'), [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=30d',
    ...extra,
  ]);
  proc.start();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    if (!proc.alive) throw new Error(`prometheus exited:\n${proc.logs()}`);
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, proc };
    await sleep(500);
  }
  throw new Error('prometheus not ready after 10 minutes');
}

/** starts `members` processes of `config` (one a member when members is 1) and observes each */
async function startFleet(name: string, config: string, members: number, replication: number): Promise<Member[]> {
  const file = join(tempDir(`fleet-${name}`), 'cloudpulse.yml');
  writeFileSync(file, config);
  const fleet: Member[] = [];
  for (let m = 0; m < members; m++) {
    const port = await freePort();
    const cluster =
      members > 1
        ? [`--cluster.members=${members}`, `--cluster.member=${m}`, `--cluster.replication=${replication}`]
        : [];
    const proc = new ManagedProcess(
      `cloudpulse-${m}`,
      process.execPath,
      [CLI, 'run', `--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`, ...cluster],
      JEMALLOC ? { LD_PRELOAD: findJemalloc() } : {},
    );
    proc.start();
    fleet.push({ index: m, url: `http://127.0.0.1:${port}`, proc, obs: undefined as unknown as Observer });
  }
  for (const member of fleet) {
    while (
      !(await fetch(`${member.url}/-/healthy`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (!member.proc.alive) throw new Error(`member ${member.index} exited:\n${member.proc.logs()}`);
      await sleep(50);
    }
    member.obs = new Observer(member.url, member.proc.pid!);
    member.obs.start(15);
  }
  return fleet;
}

const status = async (m: Member) =>
  (await (await fetch(`${m.url}/api/v1/status`)).json()) as {
    series: number;
    forecasting: number;
    waitingFirstFit: number;
    refitsDue: number;
    warmingUp: number;
  };

/** seconds from start until the members together forecast `expected` series (counting copies) */
async function untilForecast(fleet: Member[], expected: number, t0: number, limit = 1800): Promise<number | undefined> {
  while ((performance.now() - t0) / 1000 < limit) {
    const s = await Promise.all(fleet.map(status));
    if (s.reduce((a, x) => a + x.forecasting, 0) >= expected) return (performance.now() - t0) / 1000;
    for (const m of fleet) if (!m.proc.alive) throw new Error(`member ${m.index} exited:\n${m.proc.logs()}`);
    await sleep(1000);
  }
  return undefined;
}

/** until every member has loaded and fitted its whole history (first fits, refits, detector passes) */
async function untilWarm(fleet: Member[], t0: number, limit = 1800): Promise<number | undefined> {
  while ((performance.now() - t0) / 1000 < limit) {
    const s = await Promise.all(fleet.map(status));
    if (s.every((x) => x.waitingFirstFit === 0 && (x.refitsDue ?? 0) === 0 && x.warmingUp === 0))
      return (performance.now() - t0) / 1000;
    await sleep(1000);
  }
  return undefined;
}

/** every series id the members hold, counted */
async function copies(fleet: Member[]): Promise<Map<number, number>> {
  const count = new Map<string, number>();
  for (const m of fleet) {
    const body = (await (await fetch(`${m.url}/api/v1/series`)).json()) as { series: Array<{ id: string }> };
    for (const s of body.series) count.set(s.id, (count.get(s.id) ?? 0) + 1);
  }
  const histogram = new Map<number, number>();
  for (const n of count.values()) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  return histogram;
}

const metricSum = async (m: Member, name: string, where = '') => {
  const text = await (await fetch(`${m.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name) && line.includes(where)) sum += Number(line.split(' ').pop());
  return sum;
};

const simConfig = (instances: number, maxSeries: number) => `
source: {simulation: {instances: ${instances}, seed: 42}}
schedule: {interval: 1m, fit_workers: 1}
limits: {max_series: ${maxSeries}}
series:
  - {name: node_cpu_utilisation, query: 'cpu', simulate: cpu, thresholds: [0.9]}
  - {name: node_memory_utilisation, query: 'mem', simulate: memory, thresholds: [0.9]}
  - {name: node_network_receive_bytes, query: 'net', simulate: network}
`;

async function simScenario(name: string, instances: number, members: number, replication: number) {
  const series = 3 * instances;
  const t0 = performance.now();
  const fleet = await startFleet(name, simConfig(instances, series), members, replication);
  const allForecast = await untilForecast(fleet, series * replication, t0);
  const firstFits = Math.max(...fleet.map((m) => m.obs.now()));
  console.error(`  ${name}: every series forecast at ${allForecast?.toFixed(0)} s`);
  await sleep(STEADY * 1000);
  const owned = await Promise.all(fleet.map((m) => metricSum(m, 'cloudpulse_cluster_owned_series')));
  const histogram = await copies(fleet);
  const perMember = fleet.map((m, i) => ({
    member: m.index,
    owned: owned[i],
    firstFitScrapes: latencySummary(m.obs.scrapes.filter((s) => s.at <= firstFits)),
    afterScrapes: latencySummary(m.obs.scrapes.filter((s) => s.at > firstFits)),
    rssLastMinuteBytes: rssAt(m.obs.procs, m.obs.now() - 60, m.obs.now()),
  }));
  for (const m of fleet) m.obs.stop();
  await Promise.all(fleet.map((m) => m.proc.stop()));
  return {
    name,
    series,
    members,
    replication,
    allForecastSeconds: allForecast,
    copies: Object.fromEntries(histogram),
    perMember,
  };
}

async function promScenario(dataDir: string) {
  const source = await startProm(dataDir);
  const receiver = await startProm(join(tempDir('fleet-receiver'), 'data'), ['--web.enable-remote-write-receiver']);
  const config = (remote: boolean) => `
source: {prometheus: {url: ${source.url}, timeout: 2m}}
schedule: {interval: 1m, fit_workers: 1}
limits: {max_series: 30000}
${remote ? `remote_write: [{url: ${receiver.url}/api/v1/write, external_labels: {replica: 'cloudpulse-{member}'}}]` : ''}
series:
  - {name: cpu, query: 'bench_cpu', step: 5m, lookback: 7d, refit_interval: 1h}
`;
  const results: Record<string, unknown> = { name: 'prom-30k', series: 30000 };
  // one process alone first: the bytes a member is compared with
  {
    const t0 = performance.now();
    const [one] = await startFleet('prom-one', config(false), 1, 1);
    results.oneProcessAllForecastSeconds = await untilForecast([one], 30000, t0);
    // bytes compared once the whole history is in: the first forecasts come from its newest part
    results.oneProcessWarmSeconds = await untilWarm([one], t0);
    results.oneProcessQueryBytes = await metricSum(one, 'cloudpulse_source_response_bytes_total', 'kind="query"');
    one.obs.stop();
    await one.proc.stop();
  }
  const t0 = performance.now();
  const fleet = await startFleet('prom-3', config(true), 3, 1);
  results.fleetAllForecastSeconds = await untilForecast(fleet, 30000, t0);
  results.fleetWarmSeconds = await untilWarm(fleet, t0);
  const warmBytes = await Promise.all(
    fleet.map((m) => metricSum(m, 'cloudpulse_source_response_bytes_total', 'kind="query"')),
  );
  results.warmQueryBytesPerMemberOverOne = warmBytes.map((b) => b / (results.oneProcessQueryBytes as number));
  console.error(
    `  prom-30k: three members forecast every series at ${(results.fleetAllForecastSeconds as number)?.toFixed(0)} s`,
  );
  const sent = () => Promise.all(fleet.map((m) => metricSum(m, 'cloudpulse_remote_write_samples_sent_total')));
  const a = await sent();
  const ta = performance.now();
  await sleep(STEADY * 1000);
  const b = await sent();
  const seconds = (performance.now() - ta) / 1000;
  results.remoteWriteSamplesPerSecond = b.reduce((x, y) => x + y, 0) / seconds - a.reduce((x, y) => x + y, 0) / seconds;
  results.perMember = await Promise.all(
    fleet.map(async (m) => ({
      member: m.index,
      owned: await metricSum(m, 'cloudpulse_cluster_owned_series'),
      queryBytes: await metricSum(m, 'cloudpulse_source_response_bytes_total', 'kind="query"'),
      listingBytes: await metricSum(m, 'cloudpulse_source_response_bytes_total', 'kind="listing"'),
      remoteDropped: await metricSum(m, 'cloudpulse_remote_write_samples_dropped_total'),
      remoteFailed: await metricSum(m, 'cloudpulse_remote_write_samples_failed_total'),
      firstLoadScrapes: latencySummary(m.obs.scrapes),
    })),
  );
  const q = await fetch(
    `${receiver.url}/api/v1/query?query=${encodeURIComponent('count(cloudpulse_forecast{horizon="1h"})')}`,
  );
  results.receiverSeriesWith1hForecast = Number(
    ((await q.json()) as { data: { result: Array<{ value: [number, string] }> } }).data.result[0]?.value[1] ?? 0,
  );
  results.copies = Object.fromEntries(await copies(fleet));
  for (const m of fleet) m.obs.stop();
  await Promise.all(fleet.map((m) => m.proc.stop()));
  await receiver.proc.stop();
  await source.proc.stop();
  return results;
}

async function prepare(dataDir: string) {
  if (existsSync(dataDir) && blockCount(dataDir) > 0) return console.error(`reusing the TSDB in ${dataDir}`);
  const now = Math.floor(Date.now() / 1000);
  const set = {
    metric: 'bench_cpu',
    kind: 'cpu' as const,
    count: 30000,
    step: 300,
    start: now - 7 * 86400,
    end: now + 3 * 3600,
  };
  const t0 = performance.now();
  const files = await writeOpenMetrics(set, tempDir('fleet-om'));
  await backfill(
    files,
    dataDir,
    (done) => done % 10 === 0 && console.error(`  ${done}/${files.length} windows backfilled`),
  );
  console.error(`30,000 series x 7 d backfilled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

async function main() {
  const results: unknown[] = [];
  for (const name of SCENARIOS) {
    console.error(`running ${name} ...`);
    if (name === 'sim-100k') results.push(await simScenario(name, 33334, 4, 1));
    else if (name === 'sim-20k') results.push(await simScenario(name, 6667, 4, 1));
    else if (name === 'sim-20k-r2') results.push(await simScenario(name, 6667, 4, 2));
    else if (name === 'prom-30k') {
      const dataDir = arg('data', join(tempDir('fleet-tsdb'), 'tsdb'));
      await prepare(dataDir);
      results.push(await promScenario(dataDir));
    } else throw new Error(`unknown scenario ${name}`);
  }
  type Sim = Awaited<ReturnType<typeof simScenario>>;
  const small = results.find((r) => (r as Sim).name === 'sim-20k') as Sim | undefined;
  const large = results.find((r) => (r as Sim).name === 'sim-100k') as Sim | undefined;
  const slopes =
    small && large
      ? large.perMember.map(
          (m, i) =>
            (m.rssLastMinuteBytes - small.perMember[i].rssLastMinuteBytes) / (m.owned - small.perMember[i].owned),
        )
      : [];
  const report = {
    date: new Date().toISOString(),
    allocator: JEMALLOC ? 'jemalloc (LD_PRELOAD, as the image)' : 'glibc malloc',
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: totalmem() / 2 ** 30 },
    rssSlopeBytesPerOwnedSeries: slopes,
    results,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'fleet.json'), JSON.stringify(report, null, 2));
  const f = (v: unknown, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
  console.log(
    '| scenario | series | members x R | every series forecast (s) | copies | per member: owned, scrape p99 / max ms during first fits, RSS MB |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const s = r as Sim;
    if (!s.perMember || s.name.startsWith('prom')) continue;
    const members = s.perMember
      .map(
        (m) =>
          `${m.owned}, ${f(m.firstFitScrapes.p99)} / ${f(m.firstFitScrapes.max)}, ${f(m.rssLastMinuteBytes / 1e6)}`,
      )
      .join('; ');
    console.log(
      `| ${s.name} | ${s.series} | ${s.members} x ${s.replication} | ${f(s.allForecastSeconds)} | ${JSON.stringify(s.copies)} | ${members} |`,
    );
  }
  if (slopes.length)
    console.log(`RSS slope per owned series, sim-20k -> sim-100k: ${slopes.map((x) => f(x / 1024, 1)).join(', ')} KB`);
  const p = results.find((r) => (r as { name: string }).name === 'prom-30k');
  if (p) console.log(`prom-30k: ${JSON.stringify(p)}`);
  await stopAll();
}

await main();
