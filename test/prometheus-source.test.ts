/**
 * PrometheusSource against a real Prometheus scraping a real node-exporter every second.
 * Missing binaries fail the test with the package to install (see helpers/processes.ts).
 */
import { cpus } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../exporter/src/config/schema.js';
import { PrometheusSource } from '../exporter/src/sources/prometheus.js';
import { SourceError } from '../exporter/src/sources/types.js';
import { silentLogger } from '../exporter/src/util/logger.js';
import {
  scrapeJob,
  startNodeExporter,
  startPrometheus,
  stopAll,
  waitFor,
  type RunningPrometheus,
  type RunningService,
} from './helpers/index.js';

const CPU_BUSY = 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[10s]))';

function source(url: string, maxPointsPerRequest?: number, extra: Record<string, unknown> = {}) {
  const config = configSchema.parse({
    source: { prometheus: { url, timeout: '10s', retries: 1, retry_backoff: '100ms', ...extra } },
    series: [{ name: 'x', query: 'up' }],
  }).source.prometheus!;
  return new PrometheusSource({ config, logger: silentLogger, maxPointsPerRequest });
}

let node: RunningService;
let prom: RunningPrometheus;
const opened: PrometheusSource[] = [];

beforeAll(async () => {
  node = await startNodeExporter();
  prom = await startPrometheus({ scrapeConfigs: [scrapeJob('node', [node.url], '1s')] });
  // wait until the CPU rate has a value at every second of the last 30 s
  const probe = source(prom.url);
  opened.push(probe);
  await waitFor(
    async () => {
      const end = Math.floor(Date.now() / 1000);
      const [s] = await probe.queryRange({ name: 'probe', query: CPU_BUSY, start: end - 30, end, step: 1 });
      return s?.timestamps.length === 31;
    },
    { what: '30 s of node_cpu_seconds_total rates in Prometheus', timeout: 90_000, interval: 1000 },
  );
});

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await stopAll();
});

describe('PrometheusSource against a real Prometheus', () => {
  it('returns one CPU series per node-exporter instance with every step filled and sane values', async () => {
    const src = source(prom.url);
    opened.push(src);
    const end = Math.floor(Date.now() / 1000);
    const series = await src.queryRange({ name: 'node_cpu', query: CPU_BUSY, start: end - 30, end, step: 1 });
    expect(series).toHaveLength(1);
    expect(series[0].labels).toEqual({ instance: `127.0.0.1:${node.port}` });
    expect(series[0].timestamps).toEqual(Array.from({ length: 31 }, (_, i) => end - 30 + i));
    for (const v of series[0].values) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(cpus().length * 1.05); // busy cores, never above the core count
    }
  });

  it('drops __name__ and returns every label set of a query in one request', async () => {
    const src = source(prom.url);
    opened.push(src);
    const end = Math.floor(Date.now() / 1000) - 2;
    const series = await src.queryRange({
      name: 'idle',
      query: 'node_cpu_seconds_total{mode="idle"}',
      start: end - 10,
      end,
      step: 1,
    });
    expect(series).toHaveLength(cpus().length);
    for (const s of series) {
      expect(Object.keys(s.labels).sort()).toEqual(['cpu', 'instance', 'job', 'mode']);
      // a counter never decreases
      expect(s.values.every((v, i) => i === 0 || v >= s.values[i - 1])).toBe(true);
    }
  });

  it('gives the same points when the range is split into many requests', async () => {
    // settled data (ending 3 s ago) inside the 30 s that beforeAll waited for, so both reads agree
    const end = Math.floor(Date.now() / 1000) - 3;
    const q = { name: 'node_cpu', query: CPU_BUSY, start: end - 26, end, step: 1 };
    const whole = source(prom.url);
    const split = source(prom.url, 4);
    opened.push(whole, split);
    const expected = await whole.queryRange(q);
    const got = await split.queryRange(q);
    expect(got).toEqual(expected);
    expect(got[0].timestamps).toHaveLength(27);
    expect(new Set(got[0].timestamps).size).toBe(27);
  });

  it("fails a bad query at once with Prometheus' own error text", async () => {
    const src = source(prom.url, undefined, { retries: 3 });
    opened.push(src);
    const end = Math.floor(Date.now() / 1000);
    const err = (await src
      .queryRange({ name: 'bad', query: 'sum(rate(x[1m])', start: end - 10, end, step: 1 })
      .catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 400 bad_data: .*parse error/);
  });

  it('lists label values of the selectors, one label (label values API) or several (series API), and counts bytes', async () => {
    const counted: Array<[string, number]> = [];
    const config = configSchema.parse({
      source: { prometheus: { url: prom.url } },
      series: [{ name: 'x', query: 'up' }],
    }).source.prometheus!;
    const src = new PrometheusSource({
      config,
      logger: silentLogger,
      instruments: { responseBytes: (_s, kind, n) => void counted.push([kind, n]) },
    });
    opened.push(src);
    const end = Math.floor(Date.now() / 1000);
    const listing = { name: 'x', selectors: ['node_cpu_seconds_total{mode="idle"}'], start: end - 30, end };
    const one = await src.listLabelValues({ ...listing, labels: ['instance'] });
    expect(one).toEqual([{ instance: new URL(node.url).host }]);
    const two = await src.listLabelValues({ ...listing, labels: ['job', 'cpu'] });
    expect(two).toHaveLength(cpus().length);
    expect(two.every((l) => l.job === 'node' && /^\d+$/.test(l.cpu))).toBe(true);
    // a label the series lack lists as the empty string
    expect(await src.listLabelValues({ ...listing, labels: ['job', 'nope'] })).toEqual([{ job: 'node', nope: '' }]);
    expect(counted.map(([kind]) => kind)).toEqual(['listing', 'listing', 'listing']);
    expect(counted.every(([, n]) => n > 20)).toBe(true);
  });
});
