/**
 * The KEDA external scaler end to end: a real Prometheus scrapes a real node-exporter, the real
 * exporter (`cloudpulse run --grpc.listen-address`, TLS with client certificates) forecasts node
 * CPU from it, and a client built from the exporter's externalscaler.proto syncs as KEDA does.
 * The scaler answers from the live forecast, agrees with `cloudpulse_scale_metric` on /metrics,
 * and turns inactive (GetMetrics UNAVAILABLE) while Prometheus is down.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, hpaMetricName, scalerClient, type ScalerClient } from '../exporter/test/fixtures/scaler-client.js';
import { makeCertificates, type TestCertificates } from './helpers/certs.js';
import { samples, startExporter, type RunningExporter } from './helpers/exporter.js';
import { freePort, startNodeStack, stopAll, tempDir, waitFor, type RunningPrometheus } from './helpers/index.js';

let prometheus: RunningPrometheus;
let exporter: RunningExporter;
let certs: TestCertificates;
let grpcPort: number;
let client: ScalerClient;

const ref = (metadata: Record<string, string>) => ({
  name: 'web',
  namespace: 'default',
  scalerMetadata: { scalerAddress: `localhost:${grpcPort}`, enableTLS: 'true', ...metadata },
});
// the same settings as the config's scale block, so both routes must give the same number
const trigger = ref({ series: 'node_cpu', target: '0.25', leadTime: '5s', level: '0.95' });
const pem = (path: string) => readFileSync(path);

beforeAll(async () => {
  ({ prometheus } = await startNodeStack());
  certs = makeCertificates(tempDir('keda-certs'));
  grpcPort = await freePort();
  exporter = await startExporter(
    `
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
    scale: {lead_time: 5s, level: 0.95}
`,
    [
      `--grpc.listen-address=127.0.0.1:${grpcPort}`,
      `--grpc.tls-cert-file=${certs.serverCert}`,
      `--grpc.tls-key-file=${certs.serverKey}`,
      `--grpc.tls-client-ca-file=${certs.caCert}`,
    ],
  );
  // KEDA's TriggerAuthentication gives it the CA and a client certificate
  client = scalerClient(
    `localhost:${grpcPort}`,
    credentials.createSsl(pem(certs.caCert), pem(certs.clientKey), pem(certs.clientCert)),
  );
  await waitFor(async () => samples(await exporter.metrics(), 'cloudpulse_scale_metric').length > 0, {
    timeout: 60_000,
    what: 'cloudpulse_scale_metric on /metrics',
  });
});

afterAll(async () => {
  client?.close();
  await stopAll();
});

describe('KEDA external scaler on a live forecast', () => {
  it('syncs as KEDA does and agrees with cloudpulse_scale_metric', async () => {
    const spec = await client.getMetricSpec(trigger);
    expect(spec.metricSpecs).toEqual([
      { metricName: expect.stringMatching(/^cloudpulse-node_cpu-[0-9a-f]{8}$/), targetSize: 1, targetSizeFloat: 0.25 },
    ]);
    const name = hpaMetricName(0, spec.metricSpecs[0].metricName);
    // /metrics is a snapshot published a debounce after each change (docs/metrics.md): the value a
    // sync reads from the store shows up there within that delay, and the store changes every cycle.
    // Before the first forecast the scaler answers UNAVAILABLE (KEDA keeps its fallback): retry as KEDA does.
    const sync = await waitFor(() => client.sync(trigger, name).catch(() => undefined), {
      timeout: 30_000,
      interval: 100,
      what: 'a sync served from a forecast',
    });
    const exported = new Set<number>();
    const until = Date.now() + 3000;
    while (Date.now() < until && !exported.has(sync.value)) {
      for (const s of samples(await exporter.metrics(), 'cloudpulse_scale_metric')) exported.add(s.value);
      await sleep(50);
    }
    expect([...exported]).toContain(sync.value);
    expect(sync.active).toBe(true);
    expect(sync.int).toBe(Math.ceil(sync.value));
    // node CPU busy share: a fraction, give or take what a band can overshoot
    expect(sync.value).toBeGreaterThan(0);
    expect(sync.value).toBeLessThan(1.5);
    expect(samples(await exporter.metrics(), 'cloudpulse_scaler_requests_total')).toContainEqual({
      labels: { method: 'GetMetrics', code: 'OK' },
      value: expect.any(Number),
    });
  });

  it("refuses the default lead time: it reaches past this entry's 30 s forecast", async () => {
    const f = await failure(client.getMetricSpec(ref({ series: 'node_cpu', target: '1' })));
    expect(f.code).toBe(status.INVALID_ARGUMENT);
    expect(f.details).toMatch(/^scalerMetadata\.leadTime: 1m16s reaches past the forecast of series node_cpu \(30s\)/);
  });

  it('refuses clients without a certificate and plaintext clients', async () => {
    for (const creds of [credentials.createSsl(pem(certs.caCert)), credentials.createInsecure()]) {
      const c = scalerClient(`localhost:${grpcPort}`, creds);
      expect((await failure(c.isActive(trigger))).code).toBe(status.UNAVAILABLE);
      c.close();
    }
  });

  it('goes inactive while Prometheus is down, so KEDA falls back, and recovers', async () => {
    await prometheus.stop();
    await waitFor(async () => !(await client.isActive(trigger)).result, {
      timeout: 30_000,
      what: 'IsActive false after Prometheus stopped',
    });
    const f = await failure(client.getMetrics({ scaledObjectRef: trigger, metricName: '' }));
    expect(f.code).toBe(status.UNAVAILABLE);
    expect(f.details).toContain('the source is down');
    const inactive = samples(await exporter.metrics(), 'cloudpulse_scaler_inactive_total');
    expect(inactive.find((s) => s.labels.reason === 'source_down')?.value).toBeGreaterThan(0);
    expect(exporter.process.alive).toBe(true);

    await prometheus.start();
    await waitFor(async () => (await client.isActive(trigger)).result, {
      timeout: 30_000,
      what: 'IsActive true after Prometheus returned',
    });
  });
});
