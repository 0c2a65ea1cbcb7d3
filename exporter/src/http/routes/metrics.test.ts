import Fastify from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RegistryText } from '../../metrics/registry-text.js';
import type { SeriesRecord } from '../../store/record.js';
import { FAMILY_INDEX } from '../../store/exposition.js';
import { SeriesStore } from '../../store/series-store.js';
import { SERIES_FAMILIES } from '../../vocabulary.js';
import { silentLogger } from '../../util/logger.js';
import metricsRoute from './metrics.js';

const line = 'cloudpulse_actual{series="cpu",instance="a"} 0.5\n';
const exposition = new TextEncoder().encode(line);
const record: SeriesRecord = {
  key: 'cpu{instance="a"}',
  entry: 'cpu',
  labels: { instance: 'a' },
  step: 300,
  simulated: false,
  lastT: 1,
  lastValue: 0.5,
  accuracy: [],
  exposition,
  // one line of the cloudpulse_actual family: the families before it are empty, those after end with it
  offsets: Uint32Array.from({ length: SERIES_FAMILIES.length + 1 }, (_, f) =>
    f <= FAMILY_INDEX.cloudpulse_actual ? 0 : exposition.length,
  ),
};

async function app(selfOnly: boolean) {
  const store = new SeriesStore();
  store.put(record);
  const registry = new Registry();
  new Gauge({ name: 'cloudpulse_self_gauge', help: 'a self-metric', registers: [registry] }).set(3);
  const server = Fastify();
  await server.register(metricsRoute, {
    store,
    registry: new RegistryText(registry, silentLogger),
    publish: { debounceMs: 0, minIntervalMs: 0, maxAgeMs: 0 },
    selfOnly,
  });
  return server;
}

describe('/metrics', () => {
  it('serves the per-series outputs and the self-metrics', async () => {
    const res = await (await app(false)).inject('/metrics');
    expect(res.body).toContain(line);
    expect(res.body).toContain('cloudpulse_self_gauge 3');
  });

  it('serves only the self-metrics with --web.self-metrics-only, gzipped when asked', async () => {
    const server = await app(true);
    const plain = await server.inject('/metrics');
    expect(plain.body).not.toContain('cloudpulse_actual');
    expect(plain.body).toContain('cloudpulse_self_gauge 3');
    expect(plain.headers['content-type']).toContain('text/plain; version=0.0.4');
    const zipped = await server.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(plain.body);
  });
});
