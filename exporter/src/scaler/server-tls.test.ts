/** The external scaler over TLS with client certificates: a KEDA TriggerAuthentication's CA and certificate. */
import { readFileSync } from 'node:fs';
import { credentials, status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates } from '../../../test/helpers/certs.js';
import { stopAll, tempDir } from '../../../test/helpers/processes.js';
import { failure, scalerClient } from '../../test/fixtures/scaler-client.js';
import { testPipeline } from '../../test/fixtures/test-pipeline.js';
import { pipelineScalerView } from '../cli/run.js';
import { parseConfig } from '../config/load.js';
import { silentLogger } from '../util/logger.js';
import { registerScalerMetrics } from './metrics.js';
import { ScalerServer } from './server.js';

const config = parseConfig(
  `
source: {simulation: {instances: 1, seed: 7, anomalies: false}}
series:
  - {name: requests, query: q, simulate: network, model: seasonal_naive, step: 1m, lookback: 1d, horizons: [5m]}
`,
  'scaler-tls.yml',
);
const harness = testPipeline(config);
const servers: ScalerServer[] = [];
const ref = (scalerMetadata: Record<string, string>) => ({ name: 'checkout', namespace: 'shop', scalerMetadata });

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
  await harness.pipeline.stop();
  await stopAll();
});

describe('TLS', () => {
  const certs = makeCertificates(tempDir('scaler-tls'));
  const pem = (path: string) => readFileSync(path);
  let port: number;
  const r = ref({ series: 'requests', target: '1' });

  beforeAll(async () => {
    await harness.cycle();
    const server = new ScalerServer({
      view: pipelineScalerView(harness.pipeline, config),
      instruments: registerScalerMetrics(new Registry()),
      logger: silentLogger,
      tls: { cert: pem(certs.serverCert), key: pem(certs.serverKey), ca: pem(certs.caCert) },
    });
    servers.push(server);
    port = await server.listen('127.0.0.1', 0);
  });

  it('serves a client with a certificate from the CA', async () => {
    const c = scalerClient(
      `localhost:${port}`,
      credentials.createSsl(pem(certs.caCert), pem(certs.clientKey), pem(certs.clientCert)),
    );
    expect((await c.isActive(r)).result).toBe(true);
    c.close();
  });

  it('refuses clients without a certificate, with one from another CA, and in plaintext', async () => {
    for (const creds of [
      credentials.createSsl(pem(certs.caCert)),
      credentials.createSsl(pem(certs.caCert), pem(certs.rogueClientKey), pem(certs.rogueClientCert)),
      credentials.createInsecure(),
    ]) {
      const c = scalerClient(`localhost:${port}`, creds);
      expect((await failure(c.isActive(r))).code).toBe(status.UNAVAILABLE);
      c.close();
    }
  });
});
