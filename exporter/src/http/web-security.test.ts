/**
 * The web config at work on a real socket: TLS under each client auth policy (certificates made by
 * openssl), basic auth with bcrypt, the bearer token beside it, headers, rate limit, certificate
 * rotation, and --web.telemetry-path.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCertificates, makeLeaf } from '../../../test/helpers/certs.js';
import { parseConfig } from '../config/load.js';
import { testApp, type AppExtras } from '../../test/fixtures/test-app.js';
import { BasicAuthChecker } from './auth.js';
import { watchCertificates } from './tls.js';
import { loadWebConfig, parseWebConfig } from './web-config.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-web-security-'));
const certs = makeCertificates(dir);
const apps: FastifyInstance[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  rmSync(dir, { recursive: true, force: true });
});

const HASH = bcrypt.hashSync('s3cret', 4);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function app(o: AppExtras = {}) {
  const config = parseConfig('series: [{name: cpu, query: q, simulate: cpu, model: seasonal_naive}]', 't.yml');
  const { app: a } = await testApp(config, o);
  apps.push(a);
  return a;
}

function webConfig(yaml: string) {
  const file = join(dir, `web-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  return loadWebConfig(file);
}

/** An HTTPS GET trusting the test CA; resolves with the status, rejects when the connection is refused. */
function get(port: number, path: string, client?: { cert: string; key: string }, extra: object = {}) {
  return new Promise<{ status: number; body: string; peer: X509Certificate }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: readFileSync(certs.caCert),
        ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
        agent: false,
        ...extra,
      },
      (res) => {
        const peer = new X509Certificate((res.socket as import('node:tls').TLSSocket).getPeerCertificate(false).raw);
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, peer }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function tlsApp(tlsYaml: string) {
  const a = await app({
    web: webConfig(`tls_server_config:\n  cert_file: ${certs.serverCert}\n  key_file: ${certs.serverKey}\n${tlsYaml}`),
  });
  await a.listen({ host: '127.0.0.1', port: 0 });
  return (a.server.address() as { port: number }).port;
}

/** a leaf certificate from the test CA */
const issue = (name: string, san: string, usage: 'serverAuth' | 'clientAuth') =>
  makeLeaf(dir, name, { cert: certs.caCert, key: certs.caKey }, san, usage);
const good = () => ({ cert: certs.clientCert, key: certs.clientKey });
const rogue = () => ({ cert: certs.rogueClientCert, key: certs.rogueClientKey });

describe('web security', () => {
  it('serves TLS without client certificates and refuses plain HTTP', async () => {
    const port = await tlsApp('');
    expect((await get(port, '/-/healthy')).status).toBe(200);
    expect((await get(port, '/metrics', rogue())).status).toBe(200);
    const plain = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  it('RequireAndVerifyClientCert: only certificates from the client CA get in', async () => {
    const port = await tlsApp(`  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${certs.caCert}\n`);
    expect((await get(port, '/metrics', good())).status).toBe(200);
    await expect(get(port, '/metrics')).rejects.toThrow();
    await expect(get(port, '/metrics', rogue())).rejects.toThrow();
  });

  it('RequireAnyClientCert and VerifyClientCertIfGiven apply their policies after the handshake', async () => {
    const any = await tlsApp('  client_auth_type: RequireAnyClientCert\n');
    expect((await get(any, '/-/healthy', rogue())).status).toBe(200);
    await expect(get(any, '/-/healthy')).rejects.toThrow();

    const ifGiven = await tlsApp(`  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ${certs.caCert}\n`);
    expect((await get(ifGiven, '/-/healthy')).status).toBe(200);
    expect((await get(ifGiven, '/-/healthy', good())).status).toBe(200);
    await expect(get(ifGiven, '/-/healthy', rogue())).rejects.toThrow();
  });

  it('client_allowed_sans admits only the listed names', async () => {
    const port = await tlsApp(
      `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${certs.caCert}\n  client_allowed_sans: [grafana.monitoring.svc]\n`,
    );
    await expect(get(port, '/-/healthy', good())).rejects.toThrow();
    const grafana = issue('grafana', 'DNS:grafana.monitoring.svc', 'clientAuth');
    expect((await get(port, '/-/healthy', grafana)).status).toBe(200);
  });

  it('honours min_version', async () => {
    const port = await tlsApp('  min_version: TLS13\n');
    await expect(get(port, '/-/healthy', undefined, { maxVersion: 'TLSv1.2' })).rejects.toThrow();
    expect((await get(port, '/-/healthy', undefined, { minVersion: 'TLSv1.3' })).status).toBe(200);
  });

  it('swaps in a rotated certificate without a restart', async () => {
    const certFile = join(dir, 'rotating.crt');
    const keyFile = join(dir, 'rotating.key');
    copyFileSync(certs.serverCert, certFile);
    copyFileSync(certs.serverKey, keyFile);
    const config = webConfig(`tls_server_config: {cert_file: ${certFile}, key_file: ${keyFile}}`);
    const a = await app({ web: config });
    await a.listen({ host: '127.0.0.1', port: 0 });
    const port = (a.server.address() as { port: number }).port;
    const before = (await get(port, '/-/healthy')).peer.serialNumber;
    const errors: string[] = [];
    const stop = watchCertificates(a.server as never, config.tls!, (m) => errors.push(m), 20);
    // a broken file is reported and the running certificate stays
    writeFileSync(certFile, 'not a certificate');
    await new Promise((r) => setTimeout(r, 200));
    expect(errors[0]).toMatch(/^tls_server_config\.cert_file: cannot load/);
    expect((await get(port, '/-/healthy')).peer.serialNumber).toBe(before);
    const fresh = issue('fresh', 'IP:127.0.0.1', 'serverAuth');
    copyFileSync(fresh.key, keyFile);
    copyFileSync(fresh.cert, certFile);
    await new Promise((r) => setTimeout(r, 200));
    stop();
    const after = (await get(port, '/-/healthy')).peer;
    expect(after.serialNumber).not.toBe(before);
    expect(after.serialNumber).toBe(new X509Certificate(readFileSync(fresh.cert)).serialNumber);
  });

  it('asks for bcrypt basic auth everywhere but the health probes', async () => {
    const a = await app({ web: parseWebConfig(`basic_auth_users: {prometheus: "${HASH}"}`, 'w.yml') });
    expect((await a.inject('/-/healthy')).statusCode).toBe(200);
    expect((await a.inject('/-/ready')).statusCode).toBe(503); // open, and not ready yet
    const missing = await a.inject('/metrics');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Basic realm="CloudPulse", charset="UTF-8"');
    expect(
      (await a.inject({ url: '/metrics', headers: { authorization: basic('prometheus', 'wrong') } })).statusCode,
    ).toBe(401);
    expect(
      (await a.inject({ url: '/metrics', headers: { authorization: basic('nobody', 's3cret') } })).statusCode,
    ).toBe(401);
    expect(
      (await a.inject({ url: '/metrics', headers: { authorization: basic('prometheus', 's3cret') } })).statusCode,
    ).toBe(200);
    expect((await a.inject({ url: '/', headers: { authorization: basic('prometheus', 's3cret') } })).statusCode).toBe(
      200,
    );
    expect((await a.inject('/api/v1/series')).statusCode).toBe(401);
  });

  it('pays the bcrypt cost once per credential, not once per scrape', async () => {
    let compared = 0;
    const checker = new BasicAuthChecker({ prometheus: HASH }, (password, hash) => {
      compared++;
      return bcrypt.compare(password, hash);
    });
    for (let scrape = 0; scrape < 5; scrape++) expect(await checker.check('prometheus', 's3cret')).toBe(true);
    expect(compared).toBe(1);
    for (let scrape = 0; scrape < 5; scrape++) expect(await checker.check('prometheus', 'guess')).toBe(false);
    expect(compared).toBe(2);
    // an unknown user costs a bcrypt too (against a decoy hash), so timing does not reveal user names
    expect(await checker.check('nobody', 's3cret')).toBe(false);
    expect(compared).toBe(3);
  });

  it('accepts either the bearer token or a basic auth user when both are configured', async () => {
    const a = await app({
      bearerToken: 'tok3n',
      web: parseWebConfig(`basic_auth_users: {prometheus: "${HASH}"}`, 'w.yml'),
    });
    const status = async (authorization?: string) =>
      (await a.inject({ url: '/metrics', headers: authorization ? { authorization } : {} })).statusCode;
    expect(await status('Bearer tok3n')).toBe(200);
    expect(await status(basic('prometheus', 's3cret'))).toBe(200);
    expect(await status('Bearer tok3n extra')).toBe(401);
    expect(await status('Bearer s3cret')).toBe(401);
    expect(await status(basic('prometheus', 'tok3n'))).toBe(401);
    const refused = await a.inject('/metrics');
    expect(refused.headers['www-authenticate']).toEqual(['Basic realm="CloudPulse", charset="UTF-8"', 'Bearer']);
  });

  it('sets the configured headers and rate-limits like exporter-toolkit', async () => {
    const a = await app({
      web: parseWebConfig(
        'http_server_config: {headers: {X-Content-Type-Options: nosniff}}\nrate_limit: {interval: 1s, burst: 2}',
        'w.yml',
      ),
    });
    // burst 2, then one request a second: the third at once is refused
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await a.inject('/-/healthy')).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    expect((await a.inject('/-/healthy')).headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the metrics at --web.telemetry-path and links there from the landing page', async () => {
    const a = await app({ telemetryPath: '/internal/metrics' });
    expect((await a.inject('/internal/metrics')).statusCode).toBe(200);
    expect((await a.inject('/metrics')).statusCode).toBe(404);
    expect((await a.inject('/')).body).toContain('<a href="internal/metrics">');
    await expect(app({ telemetryPath: '/-/ready' })).rejects.toThrow(/--web\.telemetry-path: "\/-\/ready" is taken/);
    await expect(app({ telemetryPath: 'metrics' })).rejects.toThrow(/expected a path such as \/metrics/);
  });
});
