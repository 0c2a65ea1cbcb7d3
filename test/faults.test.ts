/**
 * Faults a real Prometheus cannot produce on demand, fed by a stand-in query API, with a REAL
 * Prometheus on the scraping side where the outcome is what it sees:
 * - upstream label names that are illegal in the 0.0.4 text format (Prometheus 3 allows UTF-8
 *   names) and a source label called `series` must not break the exposition: a real Prometheus
 *   keeps the target up and stores the sanitised names;
 * - SIGTERM while Prometheus hangs mid-query: the exporter aborts the query and its retries and
 *   exits within its shutdown timeout, well inside Kubernetes' 30 s grace period.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startExporter, samples } from './helpers/exporter.js';
import { scrapeJob, startFakePrometheus, startPrometheus, stopAll, waitFor } from './helpers/index.js';

afterAll(stopAll);

const promQuery = async (url: string, query: string) => {
  const r = (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`).then((x) => x.json())) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return r.data.result;
};

describe('odd upstream labels', () => {
  it('sanitises label names per the text format, keeps `series` as exported_series, and a real Prometheus stays up', async () => {
    const fake = await startFakePrometheus([
      {
        labels: { 'foo.bar': 'a', 'bad-name': 'b', series: 'upstream', instance: 'i1' },
        value: (t) => 1 + Math.sin(t / 60),
      },
      { labels: { 'foo.bar': 'c', '1st': 'd', instance: 'i2' }, value: (t) => 2 + Math.cos(t / 60) },
    ]);
    const exporter = await startExporter(`
source: {prometheus: {url: ${fake.url}, timeout: 5s, retries: 0}}
schedule: {interval: 1s}
series:
  - {name: odd, query: up, step: 1s, lookback: 2m, horizons: [5s], refit_interval: 1m, model: seasonal_naive}
`);
    const text = await waitFor(
      async () => {
        const t = await exporter.metrics();
        return samples(t, 'cloudpulse_forecast').length === 2 ? t : undefined;
      },
      { timeout: 60_000, what: 'forecasts for both odd label sets' },
    );
    const labels = samples(text, 'cloudpulse_forecast').map((s) => s.labels);
    expect(labels).toContainEqual({
      series: 'odd',
      bad_name: 'b',
      exported_series: 'upstream',
      foo_bar: 'a',
      instance: 'i1',
      horizon: '5s',
    });
    expect(labels).toContainEqual({ series: 'odd', _1st: 'd', foo_bar: 'c', instance: 'i2', horizon: '5s' });

    const prometheus = await startPrometheus({
      scrapeConfigs: [{ ...scrapeJob('cloudpulse', [exporter.url], '1s'), honor_labels: true }],
    });
    const stored = await waitFor(
      async () => {
        const up = await promQuery(prometheus.url, 'up{job="cloudpulse"}');
        const f = await promQuery(prometheus.url, 'cloudpulse_forecast{series="odd"}');
        return up.length === 1 && up[0].value[1] === '1' && f.length === 2 ? f : undefined;
      },
      { timeout: 30_000, what: 'a real Prometheus scraping the odd series with up == 1' },
    );
    expect(stored.map((s) => s.metric.foo_bar).sort()).toEqual(['a', 'c']);
    expect(stored.find((s) => s.metric.foo_bar === 'a')!.metric.exported_series).toBe('upstream');
    await fake.close();
  });
});

describe('shutdown', () => {
  it('aborts a hung query on SIGTERM and exits within the shutdown timeout', async () => {
    const fake = await startFakePrometheus([{ labels: { instance: 'i1' }, value: () => 1 }]);
    fake.hang = true;
    const exporter = await startExporter(
      `
source: {prometheus: {url: ${fake.url}, timeout: 30s, retries: 3}}
schedule: {interval: 1s}
series:
  - {name: stuck, query: up, step: 1s, lookback: 2m, horizons: [5s]}
`,
      ['--shutdown.timeout=10'],
    );
    await waitFor(async () => fake.queries > 0, { timeout: 10_000, what: 'a query in flight' });
    const t0 = Date.now();
    await exporter.stop(); // SIGTERM, SIGKILL only after 10 s
    const seconds = (Date.now() - t0) / 1000;
    // with the defaults a hung query and its retries take about 2 minutes; aborted, it is immediate
    expect(seconds).toBeLessThan(5);
    const logs = exporter.process.logs();
    expect(logs).toContain('"msg":"shutting down"');
    expect(logs).toMatch(/"clean":true,"msg":"stopped"/);
    await fake.close();
  });
});
