import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCertificates } from '../../../test/helpers/certs.js';
import { ConfigError } from '../config/load.js';
import { loadWebConfig, parseWebConfig } from './web-config.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-web-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const certs = makeCertificates(dir);
// bcrypt of "s3cret" at cost 4 (the test is about parsing, not hashing cost)
const HASH = '$2b$04$M.00uXVnIgdTQq7yoMpxJOqBCWx7/dkBdfyqe8PewsPjl8qizWV9u';

function problems(yaml: string, file = join(dir, 'web.yml')): string[] {
  try {
    parseWebConfig(yaml, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(file);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('web config (exporter-toolkit format)', () => {
  it('reads TLS, users, headers and rate limit, with paths relative to the file', () => {
    const c = parseWebConfig(
      `
tls_server_config:
  cert_file: server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
http_server_config:
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  prometheus: ${HASH}
rate_limit: {interval: 100ms, burst: 5}
`,
      '/etc/cloudpulse/web.yml',
    );
    expect(c.tls).toMatchObject({
      cert: { file: '/etc/cloudpulse/server.crt', key: 'tls_server_config.cert_file' },
      key: { file: '/abs/server.key' },
      clientCa: { file: '/etc/cloudpulse/ca.crt' },
      clientAuth: 'RequireAndVerifyClientCert',
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      honorCipherOrder: true,
      ecdhCurve: 'X25519:P-256',
    });
    // the TLS 1.2 choice is applied and TLS 1.3 keeps its suites, as in Go
    expect(c.tls!.ciphers).toMatch(/^ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384:/);
    expect(c.users).toEqual({ prometheus: HASH });
    expect(c.headers['X-Frame-Options']).toBe('deny');
    expect(c.rateLimit).toEqual({ intervalMs: 100, burst: 5 });
  });

  it('treats an empty file or empty sections as no TLS and no auth', () => {
    expect(parseWebConfig('', 'w.yml')).toMatchObject({ tls: undefined, users: {}, headers: {} });
    expect(parseWebConfig('tls_server_config:\nbasic_auth_users:\n', 'w.yml').tls).toBeUndefined();
    expect(parseWebConfig('rate_limit: {interval: 0, burst: 0}', 'w.yml').rateLimit).toBeUndefined();
    expect(parseWebConfig('tls_server_config: {cert: "PEM", key: "PEM"}', 'w.yml').tls?.clientAuth).toBe(
      'NoClientCert',
    );
  });

  it('names the key path of every problem and what was expected', () => {
    const p = problems(`
tls_server_config:
  cert_file: a.crt
  client_auth_type: RequireAndVerifyClientCrt
  min_version: TLS14
  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]
  certfile: typo
`);
    expect(p).toContain('tls_server_config.certfile: unknown key (check spelling; see docs/configuration.md)');
    expect(p.find((x) => x.startsWith('tls_server_config.client_auth_type:'))).toContain('RequireAndVerifyClientCert');
    expect(p.find((x) => x.startsWith('tls_server_config.min_version:'))).toContain('TLS12, TLS13');
    expect(p.some((x) => x.startsWith('tls_server_config.cipher_suites[0]:'))).toBe(true);
  });

  it('refuses what it cannot honour or what would be insecure by mistake', () => {
    const tls = (extra: string) => `tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n${extra}`;
    expect(problems('tls_server_config: {cert_file: a.crt}')).toEqual([
      'tls_server_config.key_file: expected the server key (key_file, or key inline) when TLS is configured',
    ]);
    expect(problems(tls('  client_ca_file: ca.crt\n'))[0]).toMatch(
      /^tls_server_config\.client_auth_type: a client CA is configured but client_auth_type is NoClientCert/,
    );
    expect(problems(tls('  client_auth_type: RequireAndVerifyClientCert\n'))[0]).toMatch(
      /^tls_server_config\.client_ca_file: RequireAndVerifyClientCert needs the CA/,
    );
    expect(problems(tls('  client_allowed_sans: [a]\n'))[0]).toMatch(/^tls_server_config\.client_allowed_sans: needs/);
    expect(problems(tls('  min_version: TLS13\n  max_version: TLS12\n'))[0]).toBe(
      'tls_server_config.min_version: TLS13 is above max_version TLS12',
    );
    expect(problems(tls('  cert: inline\n'))[0]).toMatch(/^tls_server_config\.cert_file: set only one of cert/);
    expect(problems('http_server_config: {http2: true}')[0]).toMatch(
      /^http_server_config\.http2: CloudPulse serves HTTP\/1\.1/,
    );
    expect(parseWebConfig('http_server_config: {http2: false}', 'w.yml').tls).toBeUndefined();
    expect(problems('http_server_config: {headers: {Server: x}}')[0]).toMatch(
      /^http_server_config\.headers\.Server: cannot be configured/,
    );
    expect(problems('http_server_config: {headers: {X-Frame-Options: allow}}')[0]).toBe(
      'http_server_config.headers.X-Frame-Options: expected one of deny, sameorigin, got "allow"',
    );
    expect(problems('rate_limit: {interval: soon, burst: 1}')[0]).toMatch(/^rate_limit\.interval: expected a duration/);
  });

  it('rejects passwords that are not bcrypt hashes without printing them', () => {
    const p = problems('basic_auth_users:\n  alice: plain-text-password\n  "bob:x": ' + HASH);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^basic_auth_users\.alice: expected a bcrypt hash/);
    expect(p[1]).toMatch(/^basic_auth_users\.bob:x: a user name cannot contain ":"/);
    expect(p.join('\n')).not.toContain('plain-text-password');
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(problems('basic_auth_users:\n  a: [\n')[0]).toMatch(/^line \d+, column \d+: YAML syntax error/);
  });

  it('loads real certificates and names the key of a missing or mismatched one', () => {
    const file = join(dir, 'web.yml');
    copyFileSync(certs.serverCert, join(dir, 'relative.crt'));
    writeFileSync(file, `tls_server_config: {cert_file: relative.crt, key_file: ${certs.serverKey}}\n`);
    expect(loadWebConfig(file).tls?.cert).toEqual({
      file: join(dir, 'relative.crt'),
      key: 'tls_server_config.cert_file',
    });

    writeFileSync(file, `tls_server_config: {cert_file: missing.crt, key_file: ${certs.serverKey}}\n`);
    expect(() => loadWebConfig(file)).toThrow(/tls_server_config\.cert_file: cannot read .*missing\.crt/);

    writeFileSync(file, `tls_server_config: {cert_file: ${certs.serverCert}, key_file: ${certs.clientKey}}\n`);
    expect(() => loadWebConfig(file)).toThrow(/tls_server_config\.key_file: cannot load the certificate and key/);

    expect(() => loadWebConfig(join(dir, 'nope.yml'))).toThrow(/nope\.yml:\n {2}- cannot read file/);
  });
});
