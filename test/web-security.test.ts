/**
 * A real Prometheus scrapes the real exporter over TLS with a client certificate and bcrypt basic
 * auth (--web.config.file, certificates made by openssl), at a custom --web.telemetry-path. Jobs
 * with a wrong password or without a client certificate must fail, so the success is not an
 * accident of an open door.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates, type TestCertificates } from './helpers/certs.js';
import { CLI, httpsGet, startExporter, type RunningExporter } from './helpers/exporter.js';
import { startPrometheus, stopAll, tempDir, waitFor, type RunningPrometheus } from './helpers/index.js';

const TELEMETRY_PATH = '/cloudpulse/metrics';
let certs: TestCertificates;
let dir: string;
let exporter: RunningExporter;
let prometheus: RunningPrometheus;

interface Target {
  labels: { job: string };
  health: string;
  lastError: string;
}

beforeAll(async () => {
  dir = tempDir('web-security');
  certs = makeCertificates(dir);
  // relative file names: exporter-toolkit reads them from the web config's directory
  writeFileSync(
    join(dir, 'web.yml'),
    `tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
basic_auth_users:
  prometheus: ${bcrypt.hashSync('scrape-pass', 10)}
`,
  );
  writeFileSync(join(dir, 'password'), 'scrape-pass\n');
  writeFileSync(join(dir, 'wrong-password'), 'guess\n');
  exporter = await startExporter(
    `
source: {simulation: {instances: 1, speed: 60}}
schedule: {interval: 1s}
series:
  - {name: cpu, query: q, simulate: cpu, model: seasonal_naive, lookback: 1d}
`,
    [`--web.config.file=${join(dir, 'web.yml')}`, `--web.telemetry-path=${TELEMETRY_PATH}`],
    { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey },
  );
  const job = (name: string, passwordFile: string, clientCert: boolean) => ({
    job_name: name,
    scheme: 'https',
    metrics_path: TELEMETRY_PATH,
    honor_labels: true,
    static_configs: [{ targets: [`127.0.0.1:${exporter.port}`] }],
    basic_auth: { username: 'prometheus', password_file: join(dir, passwordFile) },
    tls_config: {
      ca_file: certs.caCert,
      ...(clientCert ? { cert_file: certs.clientCert, key_file: certs.clientKey } : {}),
    },
  });
  prometheus = await startPrometheus({
    scrapeConfigs: [
      job('cloudpulse', 'password', true),
      job('wrong-password', 'wrong-password', true),
      job('no-client-cert', 'password', false),
    ],
  });
});

afterAll(stopAll);

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return ((await res.json()) as { data: { result: [] } }).data.result;
}

describe('web security against a real Prometheus', () => {
  it('is scraped over TLS with a client certificate and basic auth (up == 1)', async () => {
    const up = await waitFor(
      async () => {
        const r = await query('up{job="cloudpulse"} == 1');
        return r.length === 1 ? r : undefined;
      },
      { timeout: 60_000, what: 'up{job="cloudpulse"} == 1 in Prometheus' },
    );
    expect(up[0].metric.job).toBe('cloudpulse');
    const scraped = await waitFor(
      async () => {
        const r = await query('count({job="cloudpulse", __name__=~"cloudpulse_.+"})');
        return r.length === 1 && Number(r[0].value[1]) > 0 ? r : undefined;
      },
      { timeout: 30_000, what: 'cloudpulse_* series stored from the TLS scrape' },
    );
    expect(Number(scraped[0].value[1])).toBeGreaterThan(0);
  });

  it('fails the scrapes with a wrong password or without a client certificate', async () => {
    const targets = await waitFor(
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/targets`);
        const active = ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
        const failed = active.filter((t) => t.labels.job !== 'cloudpulse' && t.health === 'down');
        return failed.length === 2 ? active : undefined;
      },
      { timeout: 30_000, what: 'both misconfigured jobs down' },
    );
    const byJob = Object.fromEntries(targets.map((t) => [t.labels.job, t]));
    expect(byJob['wrong-password'].lastError).toMatch(/401/);
    expect(byJob['no-client-cert'].lastError).toMatch(/tls|certificate|connection reset|EOF/i);
    expect(byJob.cloudpulse.health).toBe('up');
    expect((await query('up{job=~"wrong-password|no-client-cert"} == 0')).length).toBe(2);
  });

  it('answers the probes without credentials but not the metrics', async () => {
    const tls = { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey };
    const probe = await httpsGet(`${exporter.url}/-/healthy`, tls);
    expect(probe.status).toBe(200);
    const metrics = await httpsGet(`${exporter.url}${TELEMETRY_PATH}`, tls);
    expect(metrics.status).toBe(401);
    const authorization = `Basic ${Buffer.from('prometheus:scrape-pass').toString('base64')}`;
    const ok = await httpsGet(`${exporter.url}${TELEMETRY_PATH}`, tls, { authorization });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('cloudpulse_');
    await expect(fetch(`http://127.0.0.1:${exporter.port}/-/healthy`)).rejects.toThrow();
  });

  it('refuses to start on a bad web config or telemetry path, naming the file and key', async () => {
    const start = (args: string[]) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, 'run', '--web.listen-address=127.0.0.1:0', ...args], (err, _out, stderr) =>
          resolve({ code: (err as { code?: number } | null)?.code ?? 0, stderr }),
        );
      });
    const bad = join(dir, 'bad-web.yml');
    writeFileSync(bad, `tls_server_config:\n  cert_file: ${certs.serverCert}\n  key_file: missing.key\n`);
    const r = await start([`--web.config.file=${bad}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`invalid configuration in ${bad}`);
    expect(r.stderr).toMatch(/tls_server_config\.key_file: cannot read .*missing\.key/);
    const path = await start(['--web.telemetry-path=/api/metrics']);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('--web.telemetry-path: "/api/metrics" is taken');
  });
});
