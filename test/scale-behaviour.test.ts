/**
 * A small version of the scale benchmark (bench/scale.ts) as a behaviour check, not a timing test:
 * 501 simulated series (167 instances x 3 entries) on two worker threads, a new point every cycle,
 * /metrics scraped every second from the first moment. Every series gets a forecast, the first
 * load never makes a scrape wait for model work (none takes over a second, the limit the scale
 * issue sets at 10,000 series), and the output is what the config asked for.
 */
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startExporter, samples } from './helpers/exporter.js';
import { stopAll } from './helpers/index.js';

afterAll(stopAll);

describe('500 series', () => {
  it('forecasts every series while every scrape is served within a second', async () => {
    const exporter = await startExporter(`
source: {simulation: {instances: 167, seed: 5, speed: 300}}
schedule: {interval: 1s, fit_workers: 2}
series:
  - {name: cpu, query: cpu, simulate: cpu, lookback: 3d, thresholds: [0.9]}
  - {name: mem, query: mem, simulate: memory, lookback: 3d}
  - name: net
    query: net
    simulate: network
    lookback: 3d
    outputs: {families: [bounds, anomaly], horizons: [1h], levels: [0.95]}
`);
    const latencies: number[] = [];
    let text = '';
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const t0 = performance.now();
      const res = await fetch(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
      const body = Buffer.from(await res.arrayBuffer());
      latencies.push(performance.now() - t0);
      expect(res.status).toBe(200);
      // fetch decompresses transparently; a raw gzip body would start with 1f 8b
      text = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body).toString() : body.toString();
      const status = (await fetch(`${exporter.url}/api/v1/status`).then((r) => r.json())) as {
        series: number;
        forecasting: number;
        waitingFirstFit: number;
        warmingUp: number;
      };
      // /metrics may trail the store by a few seconds while it changes (docs/metrics.md)
      const published = samples(text, 'cloudpulse_forecast').length === 2 * 167 * 4;
      if (status.forecasting === 501 && status.warmingUp === 0 && published && latencies.length >= 5) break;
      await sleep(1000);
    }
    expect(samples(text, 'cloudpulse_series_tracked').reduce((a, s) => a + s.value, 0)).toBe(501);
    // every label set of the full entries has every horizon; the trimmed one only what it asked for
    expect(samples(text, 'cloudpulse_forecast').filter((s) => s.labels.series === 'cpu')).toHaveLength(167 * 4);
    expect(samples(text, 'cloudpulse_forecast').filter((s) => s.labels.series === 'net')).toHaveLength(0);
    const netUpper = samples(text, 'cloudpulse_forecast_upper').filter((s) => s.labels.series === 'net');
    expect(netUpper).toHaveLength(167);
    expect(netUpper.every((s) => s.labels.horizon === '1h' && s.labels.level === '0.95')).toBe(true);
    expect(
      Math.max(...latencies),
      `scrape latencies (ms): ${latencies.map((l) => l.toFixed(0)).join(' ')}`,
    ).toBeLessThan(1000);
  });
});
