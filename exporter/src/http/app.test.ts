import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { testApp } from '../../test/fixtures/test-app.js';

function promtoolCheck(text: string): string {
  try {
    return execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('promtool not found: install the Debian package prometheus (apt-get install prometheus)', {
        cause: err,
      });
    throw new Error(`promtool check metrics failed:\n${e.stdout}${e.stderr}`, { cause: err });
  }
}

async function exporter(bearerToken?: string) {
  const config = parseConfig(
    `
source: {simulation: {instances: 2, seed: 3, anomalies: false}}
series:
  - {name: cpu, query: q, simulate: cpu, model: seasonal_naive, lookback: 2d, horizons: [5m, 1h], thresholds: [0.0001]}
`,
    't.yml',
  );
  return testApp(config, { bearerToken });
}

describe('http', () => {
  it('is healthy at once and ready only once forecasts exist', async () => {
    const { app, pipeline } = await exporter();
    expect((await app.inject('/-/healthy')).statusCode).toBe(200);
    expect((await app.inject('/-/ready')).statusCode).toBe(503);
    await pipeline.runCycle();
    await pipeline.whenIdle();
    expect((await app.inject('/-/ready')).statusCode).toBe(200);
    const landing = await app.inject('/');
    expect(landing.headers['content-type']).toContain('text/html');
    expect(landing.body).toContain('metrics');
  });

  it('exposes forecasts, bands and self-metrics that promtool accepts', async () => {
    const { app, pipeline } = await exporter();
    await pipeline.runCycle();
    await pipeline.whenIdle();
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    const body = res.body;
    for (const instance of ['sim-0:9100', 'sim-1:9100']) {
      expect(body).toMatch(
        new RegExp(`cloudpulse_forecast\\{series="cpu",instance="${instance}",job="node",horizon="1h"\\} [0-9.e-]+`),
      );
      expect(body).toMatch(
        new RegExp(
          `cloudpulse_forecast_lower\\{series="cpu",instance="${instance}",job="node",horizon="5m",level="0.95"\\}`,
        ),
      );
      expect(body).toMatch(
        new RegExp(
          `cloudpulse_forecast_upper\\{series="cpu",instance="${instance}",job="node",horizon="5m",level="0.8"\\}`,
        ),
      );
    }
    expect(body).toContain('cloudpulse_source_up{series="cpu"} 1');
    expect(body).toContain('cloudpulse_source_simulated{series="cpu"} 1');
    expect(body).toContain('cloudpulse_series_tracked{series="cpu"} 2');
    expect(body).toMatch(/cloudpulse_model_info\{series="cpu",instance="sim-0:9100",job="node",model="seasonal_naive"/);
    expect(body).toMatch(
      /cloudpulse_threshold_eta_seconds\{series="cpu",instance="sim-0:9100",job="node",threshold="0.0001",bound="point"\} 0/,
    );
    expect(body).toMatch(/cloudpulse_build_info\{version="[^"]+",revision="[^"]+",branch="[^"]+",nodeversion="v\d+/);
    expect(body).toContain('process_cpu_seconds_total');
    // the whole exposition, process metrics included, passes Prometheus' own lint
    expect(promtoolCheck(body)).toBe('');
  });

  it('speaks OpenMetrics when asked, and gzip when accepted', async () => {
    const { app, pipeline } = await exporter();
    await pipeline.runCycle();
    await pipeline.whenIdle();
    const om = await app.inject({
      url: '/metrics',
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    expect(om.headers['content-type']).toContain('application/openmetrics-text');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(om.body).toContain('# TYPE cloudpulse_cycles counter');
    expect(om.body).toMatch(/^cloudpulse_cycles_total 1$/m);
    const text = await app.inject('/metrics');
    expect(text.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(text.body).toContain('# TYPE cloudpulse_cycles_total counter');
    const gz = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const unzipped = gunzipSync(gz.rawPayload).toString();
    // the same families as the plain response (process metrics may tick in between)
    const families = (s: string) => s.split('\n').filter((l) => l.startsWith('# TYPE'));
    expect(families(unzipped)).toEqual(families(text.body));
  });

  it('keeps serving the scrape when one metric fails to collect', async () => {
    const { app, pipeline, registry } = await exporter();
    await pipeline.runCycle();
    await pipeline.whenIdle();
    registry.registerMetric({
      name: 'broken_metric',
      get: () => {
        throw new Error('collector exploded');
      },
    } as never);
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('broken_metric');
    expect(res.body).toContain('cloudpulse_forecast{');
  });

  it('serves the JSON API for the built-in view', async () => {
    const { app, pipeline } = await exporter();
    await pipeline.runCycle();
    await pipeline.whenIdle();
    const list = (await app.inject('/api/v1/series')).json();
    expect(list.series).toHaveLength(2);
    const id = list.series[0].id;
    const detail = (await app.inject(`/api/v1/series/${encodeURIComponent(id)}`)).json();
    expect(detail.actual.length).toBe(2 * 288);
    expect(detail.forecast.point).toHaveLength(12);
    expect(detail.forecast.intervals.map((i: { level: number }) => i.level)).toEqual([0.8, 0.95]);
    expect((await app.inject('/api/v1/series/nope')).statusCode).toBe(404);
  });

  it('requires the bearer token everywhere but the health probes when one is configured', async () => {
    const { app } = await exporter('s3cret');
    expect((await app.inject('/-/healthy')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong!' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(200);
    expect((await app.inject('/api/v1/series')).statusCode).toBe(401);
  });
});
