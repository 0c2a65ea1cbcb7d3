import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authorization, clientAgent, redactedUrl, requestUrl, type ClientAuthConfig } from './client-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-rw-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tls = { insecure_skip_verify: false };
const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

describe('remote write client auth', () => {
  it('keeps credentials out of the URL that is logged and labelled', () => {
    const url = 'https://bob:s3cret@mimir.example:8080/api/v1/push?token=abc#frag';
    expect(redactedUrl(url)).toBe('https://mimir.example:8080/api/v1/push');
    expect(requestUrl(url)).toBe('https://mimir.example:8080/api/v1/push?token=abc#frag');
    expect(authorization({ tls }, url, 'remote_write[0]')()).toBe(basic('bob', 's3cret'));
  });

  it('reads password and token files again for every request (rotation)', () => {
    const password = join(dir, 'password');
    const token = join(dir, 'token');
    writeFileSync(password, 'first\n');
    writeFileSync(token, 'tok-1\n');
    const viaPassword = authorization(
      { tls, basic_auth: { username: 'alice', password_file: password } },
      'http://h/',
      'remote_write[0]',
    );
    const viaToken = authorization({ tls, bearer_token_file: token }, 'http://h/', 'remote_write[0]');
    expect(viaPassword()).toBe(basic('alice', 'first'));
    expect(viaToken()).toBe('Bearer tok-1');
    writeFileSync(password, 'second');
    writeFileSync(token, 'tok-2');
    expect(viaPassword()).toBe(basic('alice', 'second'));
    expect(viaToken()).toBe('Bearer tok-2');
    expect(authorization({ tls, bearer_token: 'inline' }, 'http://h/', 'x')()).toBe('Bearer inline');
    expect(authorization({ tls }, 'http://h/', 'x')()).toBeUndefined();
  });

  it('fails at start with the key path for an unreadable file or two kinds of credentials', () => {
    const missing: ClientAuthConfig = { tls, bearer_token_file: join(dir, 'nope') };
    expect(() => authorization(missing, 'http://h/', 'remote_write[1]')).toThrow(
      /^remote_write\[1\]\.bearer_token_file: cannot read ".*nope"/,
    );
    const both: ClientAuthConfig = { tls, bearer_token: 'a', basic_auth: { username: 'u', password: 'p' } };
    expect(() => authorization(both, 'http://h/', 'remote_write[0]')).toThrow(/at most one of/);
    expect(() => clientAgent({ tls: { ca_file: join(dir, 'ca.pem'), insecure_skip_verify: false } }, 5, 'rw')).toThrow(
      /^rw\.tls\.ca_file: cannot read/,
    );
  });
});
