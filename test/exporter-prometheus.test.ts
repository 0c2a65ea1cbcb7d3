/**
 * The exporter against a real Prometheus scraping a real node-exporter: forecasts and bands appear
 * for the node-exporter instance; when Prometheus stops, the exporter keeps serving its last
 * forecasts and reports cloudpulse_source_up 0; when Prometheus returns, it recovers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, samples, type RunningExporter } from './helpers/exporter.js';
import { startNodeStack, stopAll, waitFor, type RunningPrometheus, type RunningService } from './helpers/index.js';

let nodeExporter: RunningService;
let prometheus: RunningPrometheus;
let exporter: RunningExporter;

beforeAll(async () => {
  ({ nodeExporter, prometheus } = await startNodeStack());
  exporter = await startExporter(`
source:
  prometheus:
    url: ${prometheus.url}
    timeout: 2s
    retries: 0
schedule:
  interval: 1s
series:
  - name: node_cpu
    query: 1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5s]))
    step: 1s
    lookback: 2m
    horizons: [5s, 30s]
    levels: [0.8, 0.95]
    refit_interval: 10s
`);
});

afterAll(stopAll);

describe('exporter with real Prometheus and node-exporter', () => {
  it('exposes forecasts and bands for the node-exporter instance', async () => {
    const instance = nodeExporter.url.replace('http://', '');
    const text = await waitFor(
      async () => {
        const t = await exporter.metrics();
        return samples(t, 'cloudpulse_forecast').length >= 2 ? t : undefined;
      },
      { timeout: 60_000, what: 'cloudpulse_forecast samples' },
    );
    const forecasts = samples(text, 'cloudpulse_forecast');
    expect(forecasts.map((s) => s.labels.horizon).sort()).toEqual(['30s', '5s']);
    for (const f of forecasts) {
      expect(f.labels).toEqual({ series: 'node_cpu', instance, horizon: f.labels.horizon });
      // CPU utilisation: a fraction, give or take what a band-less point forecast can overshoot
      expect(f.value).toBeGreaterThan(-0.25);
      expect(f.value).toBeLessThan(1.25);
    }
    const lower = samples(text, 'cloudpulse_forecast_lower');
    const upper = samples(text, 'cloudpulse_forecast_upper');
    expect(lower).toHaveLength(4);
    expect(upper).toHaveLength(4);
    for (const lo of lower) {
      const hi = upper.find((u) => u.labels.horizon === lo.labels.horizon && u.labels.level === lo.labels.level)!;
      const point = forecasts.find((f) => f.labels.horizon === lo.labels.horizon)!;
      expect(lo.value).toBeLessThanOrEqual(point.value);
      expect(hi.value).toBeGreaterThanOrEqual(point.value);
    }
    expect(samples(text, 'cloudpulse_source_up')).toEqual([{ labels: { series: 'node_cpu' }, value: 1 }]);
    expect(samples(text, 'cloudpulse_source_simulated')).toEqual([{ labels: { series: 'node_cpu' }, value: 0 }]);
    expect((await fetch(`${exporter.url}/-/ready`)).status).toBe(200);
  });

  it('keeps serving while Prometheus is down and recovers when it returns', async () => {
    await prometheus.stop();
    const down = await waitFor(
      async () => {
        const t = await exporter.metrics();
        return samples(t, 'cloudpulse_source_up')[0]?.value === 0 ? t : undefined;
      },
      { timeout: 30_000, what: 'cloudpulse_source_up 0 after Prometheus stopped' },
    );
    expect(exporter.process.alive).toBe(true);
    expect(samples(down, 'cloudpulse_forecast').length).toBe(2);
    expect(samples(down, 'cloudpulse_source_simulated')[0].value).toBe(0);
    const errors = samples(down, 'cloudpulse_source_query_errors_total');
    expect(errors.reduce((a, s) => a + s.value, 0)).toBeGreaterThan(0);

    await prometheus.start();
    await waitFor(async () => samples(await exporter.metrics(), 'cloudpulse_source_up')[0]?.value === 1, {
      timeout: 30_000,
      what: 'cloudpulse_source_up 1 after Prometheus returned',
    });
    expect(exporter.process.alive).toBe(true);
  });
});
