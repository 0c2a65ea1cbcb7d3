import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/load.js';

const SERIES = 'series: [{name: cpu, query: q}]\n';
const parse = (yaml: string) => parseConfig(yaml + SERIES, 'rw.yml');
const problems = (yaml: string): string[] => {
  try {
    parse(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be refused');
};

describe('remote_write config', () => {
  it('is off by default and takes Prometheus-like defaults', () => {
    expect(parse('').remote_write).toEqual([]);
    const [rw] = parse('remote_write: [{url: "http://mimir:8080/api/v1/push"}]\n').remote_write;
    expect(rw).toEqual({
      url: 'http://mimir:8080/api/v1/push',
      timeout: 30,
      headers: {},
      tls: { insecure_skip_verify: false },
      external_labels: {},
      queue_config: {
        capacity: 500_000,
        max_samples_per_send: 2000,
        batch_send_deadline: 5,
        min_backoff: 0.03,
        max_backoff: 5,
        retry_on_http_429: true,
      },
    });
  });

  it('accepts the source’s auth and TLS options, headers, external labels and a queue section', () => {
    const [rw] = parse(`
remote_write:
  - url: https://mimir/api/v1/push
    name: mimir-a
    basic_auth: {username: u, password_file: /run/secrets/pw}
    headers: {X-Scope-OrgID: tenant-1}
    tls: {ca_file: /etc/ca.pem, insecure_skip_verify: true}
    external_labels: {cluster: eu-1, __replica__: replica-0}
    resend_interval: 30s
    queue_config: {capacity: 1000, max_samples_per_send: 100, batch_send_deadline: 1s, min_backoff: 10ms, max_backoff: 1s, retry_on_http_429: false}
`).remote_write;
    expect(rw.basic_auth).toEqual({ username: 'u', password_file: '/run/secrets/pw' });
    expect(rw.external_labels).toEqual({ cluster: 'eu-1', __replica__: 'replica-0' });
    expect(rw.resend_interval).toBe(30);
    expect(rw.queue_config).toEqual({
      capacity: 1000,
      max_samples_per_send: 100,
      batch_send_deadline: 1,
      min_backoff: 0.01,
      max_backoff: 1,
      retry_on_http_429: false,
    });
  });

  it('refuses bad entries with the key path', () => {
    expect(problems('remote_write: [{url: "not a url"}]\n')[0]).toMatch(
      /^remote_write\[0\]\.url: expected an http\(s\) URL/,
    );
    expect(problems('remote_write: [{url: "http://h/", bearer_token: a, bearer_token_file: b}]\n')).toEqual([
      'remote_write[0].bearer_token_file: expected at most one of bearer_token, bearer_token_file',
    ]);
    expect(problems('remote_write: [{url: "http://h/", headers: {Content-Type: x}}]\n')[0]).toMatch(
      /^remote_write\[0\]\.headers\.Content-Type: expected a header that the protocol or the auth options do not set/,
    );
    expect(problems('remote_write: [{url: "http://h/", external_labels: {__name__: x}}]\n')[0]).toMatch(
      /^remote_write\[0\]\.external_labels\.__name__: expected a label name \(letters, digits, underscores; not __name__\)/,
    );
    expect(problems('remote_write: [{url: "http://h/", external_labels: {"bad-name": x}}]\n')[0]).toMatch(
      /^remote_write\[0\]\.external_labels\.bad-name: expected a label name/,
    );
    expect(problems('remote_write: [{url: "http://h/", queue_config: {min_backoff: 2s, max_backoff: 1s}}]\n')).toEqual([
      'remote_write[0].queue_config.max_backoff: expected at least min_backoff (2s), got 1s',
    ]);
    expect(problems('remote_write: [{url: "http://h/", queue_config: {capacity: 0}}]\n')[0]).toMatch(
      /^remote_write\[0\]\.queue_config\.capacity/,
    );
    expect(problems('remote_write: [{url: "http://h/", queu_config: {}}]\n')[0]).toMatch(
      /^remote_write\[0\]\.queu_config: unknown key/,
    );
    expect(problems('remote_write: [{url: "http://a:b@h/x"}, {url: "http://h/x"}]\n')).toEqual([
      'remote_write[1].name: expected a name that tells this entry from remote_write[0] (same url)',
    ]);
    expect(parse('remote_write: [{url: "http://h/x"}, {url: "http://h/x", name: b}]\n').remote_write).toHaveLength(2);
  });
});
