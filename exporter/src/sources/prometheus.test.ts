/**
 * PrometheusSource against a small fault-injecting HTTP server (the real-Prometheus behaviour is
 * covered by test/prometheus-source.test.ts; this file only injects faults real servers rarely give).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { PrometheusSource, parseRetryAfter, wantsGzip } from './prometheus.js';
import type { Logger } from '../util/logger.js';
import { SourceError, type RangeQuery } from './types.js';

interface Seen {
  headers: IncomingMessage['headers'];
  params: URLSearchParams;
  path: string;
}
type Handler = (req: Seen, res: ServerResponse, n: number) => void;

const servers: { close(): void }[] = [];
const sources: PrometheusSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  for (const s of servers.splice(0)) s.close();
});

async function fakeServer(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const s = { headers: req.headers, params: new URLSearchParams(Buffer.concat(parts).toString()), path: req.url! };
      seen.push(s);
      handler(s, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (obj: object | string, msg?: string) => void lines.push(JSON.stringify({ obj, msg }));
  return { lines, debug: log, info: log, warn: log, error: log };
}

function makeSource(prometheus: Record<string, unknown>, extra: { maxPointsPerRequest?: number } = {}) {
  const config = configSchema.parse({ source: { prometheus }, series: [{ name: 'x', query: 'up' }] }).source
    .prometheus!;
  const logger = recordingLogger();
  const sleeps: number[] = [];
  const source = new PrometheusSource({
    config,
    logger,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...extra,
  });
  sources.push(source);
  return { source, logger, sleeps };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** A well-behaved range answer: two instances, value = t/100 (+1 for b), at the requested grid. */
function matrixFor(p: URLSearchParams) {
  const start = Number(p.get('start'));
  const end = Number(p.get('end'));
  const step = Number(p.get('step'));
  const grid: number[] = [];
  for (let k = 0; start + k * step <= end; k++) grid.push(start + k * step);
  return {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: ['a', 'b'].map((instance, j) => ({
        metric: { __name__: 'cpu', instance },
        values: grid.map((t) => [t, String(t / 100 + j)]),
      })),
    },
  };
}

const q = (over: Partial<RangeQuery> = {}): RangeQuery => ({
  name: 'cpu',
  query: 'sum by (instance) (rate(x[1m]))',
  start: 1000,
  end: 1600,
  step: 60,
  ...over,
});

describe('PrometheusSource', () => {
  it('posts one form-encoded query_range and parses every label set, special values included', async () => {
    const { url, seen } = await fakeServer((req, res) =>
      json(res, 200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { __name__: 'm', instance: 'a' },
              values: [
                [1000, '0.5'],
                [1060, 'NaN'],
              ],
            },
            {
              metric: { instance: 'b' },
              values: [
                [1000, '+Inf'],
                [1060, '-Inf'],
              ],
            },
          ],
        },
      }),
    );
    const { source } = makeSource({ url: url + '/prefix/', headers: { 'X-Scope-OrgID': 'tenant-1' } });
    const series = await source.queryRange(q({ end: 1060 }));
    expect(seen).toHaveLength(1);
    expect(seen[0].path).toBe('/prefix/api/v1/query_range');
    expect(seen[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[0].headers['x-scope-orgid']).toBe('tenant-1');
    expect(Object.fromEntries(seen[0].params)).toMatchObject({
      query: q().query,
      start: '1000',
      end: '1060',
      step: '60',
    });
    expect(series).toHaveLength(2);
    expect(series[0].labels).toEqual({ instance: 'a' });
    expect(series[0].timestamps).toEqual([1000, 1060]);
    expect(series[0].values[0]).toBe(0.5);
    expect(series[0].values[1]).toBeNaN();
    expect(series[1].values).toEqual([Infinity, -Infinity]);
  });

  it('splits a long range into requests of at most maxPointsPerRequest and stitches them', async () => {
    const { url, seen } = await fakeServer((req, res) => json(res, 200, matrixFor(req.params)));
    const { source: whole } = makeSource({ url });
    const { source: split } = makeSource({ url }, { maxPointsPerRequest: 7 });
    const range = q({ start: 0, end: 3000, step: 60 }); // 51 points
    const expected = await whole.queryRange(range);
    seen.length = 0;
    const got = await split.queryRange(range);
    expect(seen).toHaveLength(Math.ceil(51 / 7));
    for (const s of seen) {
      const points = (Number(s.params.get('end')) - Number(s.params.get('start'))) / 60 + 1;
      expect(points).toBeLessThanOrEqual(7);
    }
    expect(got).toEqual(expected);
    expect(got[0].timestamps).toHaveLength(51);
  });

  it('retries 5xx with exponential backoff and full jitter, then succeeds', async () => {
    const { url, seen } = await fakeServer((req, res, n) =>
      n <= 2
        ? json(res, 503, { status: 'error', errorType: 'unavailable', error: 'overloaded' })
        : json(res, 200, matrixFor(req.params)),
    );
    const { source, sleeps, logger } = makeSource({ url, retries: 3, retry_backoff: '1s' });
    const series = await source.queryRange(q());
    expect(series).toHaveLength(2);
    expect(seen).toHaveLength(3);
    // random() = 0.5 -> half of 1s, then half of 2s
    expect(sleeps).toEqual([500, 1000]);
    expect(logger.lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
  });

  it('gives up after the configured retries with a retryable error', async () => {
    const { url, seen } = await fakeServer((req, res) => json(res, 502, { status: 'error', error: 'bad gateway' }));
    const { source } = makeSource({ url, retries: 2 });
    const err = await source.queryRange(q()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).retryable).toBe(true);
    expect((err as SourceError).message).toContain('HTTP 502');
    expect((err as SourceError).reason).toBe('http_5xx');
    expect(seen).toHaveLength(3);
  });

  it('honours Retry-After on 429', async () => {
    const { url } = await fakeServer((req, res, n) =>
      n === 1
        ? json(res, 429, { status: 'error', error: 'slow down' }, { 'retry-after': '7' })
        : json(res, 200, matrixFor(req.params)),
    );
    const { source, sleeps } = makeSource({ url });
    await source.queryRange(q());
    expect(sleeps).toEqual([7000]);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10);
  });

  it("fails a 400 at once with Prometheus' own error text", async () => {
    const message = '1:5: parse error: unexpected right parenthesis';
    const { url, seen } = await fakeServer((req, res) =>
      json(res, 400, { status: 'error', errorType: 'bad_data', error: message }),
    );
    const { source, sleeps } = makeSource({ url, retries: 5 });
    const err = (await source.queryRange(q()).catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`HTTP 400 bad_data: ${message}`);
    expect(err.message).toContain('query "cpu"');
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('times out a server that never answers, and retries the timeout', async () => {
    const { url, seen } = await fakeServer(() => {
      /* never respond */
    });
    const { source } = makeSource({ url, timeout: 0.2, retries: 1 });
    const started = Date.now();
    const err = (await source.queryRange(q()).catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/timed out after 0.2s/);
    expect(seen).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not retry when the caller aborts', async () => {
    const { url, seen } = await fakeServer(() => {});
    const { source } = makeSource({ url, timeout: 10, retries: 3 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = (await source.queryRange(q(), controller.signal).catch((e: unknown) => e)) as SourceError;
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('aborted');
    expect(seen).toHaveLength(1);
  });

  it('stops retrying when the caller aborts during the backoff', async () => {
    const { url, seen } = await fakeServer((req, res) => json(res, 503, { status: 'error', error: 'down' }));
    const config = configSchema.parse({
      source: { prometheus: { url, retries: 5 } },
      series: [{ name: 'x', query: 'up' }],
    }).source.prometheus!;
    const controller = new AbortController();
    const source = new PrometheusSource({
      config,
      logger: recordingLogger(),
      random: () => 0.5,
      // a sleep that honours the signal, with the caller aborting while it waits
      sleep: (_ms, signal) =>
        new Promise((_, reject) => {
          signal!.addEventListener('abort', () => reject(signal!.reason));
          controller.abort();
        }),
    });
    sources.push(source);
    const err = (await source.queryRange(q(), controller.signal).catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('aborted while waiting to retry');
    expect(seen).toHaveLength(1);
  });

  it('retries connection errors', async () => {
    const { url } = await fakeServer(() => {});
    for (const s of servers.splice(0)) s.close(); // nothing listens there any more
    const { source, sleeps } = makeSource({ url, retries: 2 });
    const err = (await source.queryRange(q()).catch((e: unknown) => e)) as SourceError;
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/cannot reach .*ECONNREFUSED/);
    expect(err.reason).toBe('network');
    expect(sleeps).toHaveLength(2);
  });

  it('rejects garbage JSON with a clear, non-retryable error', async () => {
    const { url } = await fakeServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Grafana login</html>');
    });
    const { source } = makeSource({ url });
    const err = (await source.queryRange(q()).catch((e: unknown) => e)) as SourceError;
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('not JSON');
    expect(err.reason).toBe('parse');
    expect(err.message).toContain('Grafana login');
  });

  it('aborts a body larger than max_response_bytes while streaming, with or without content-length', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(50_000) });
    for (const declare of [true, false]) {
      const { url } = await fakeServer((req, res) => {
        res.writeHead(200, declare ? { 'content-length': String(big.length) } : {});
        // stream it in parts so the limit trips mid-body
        for (let i = 0; i < big.length; i += 4096) res.write(big.slice(i, i + 4096));
        res.end();
      });
      const { source } = makeSource({ url, max_response_bytes: 10_000 });
      const err = (await source.queryRange(q()).catch((e: unknown) => e)) as SourceError;
      expect(err).toBeInstanceOf(SourceError);
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('max_response_bytes');
      expect(err.reason).toBe('too_large');
    }
  });

  it('decodes gzip and counts the decoded size against the cap', async () => {
    const { url } = await fakeServer((req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      res.end(gzipSync(JSON.stringify(matrixFor(req.params))));
    });
    const { source } = makeSource({ url });
    expect(await source.queryRange(q())).toHaveLength(2);
    const { source: small } = makeSource({ url, max_response_bytes: 200 });
    await expect(small.queryRange(q())).rejects.toThrow(/max_response_bytes/);
  });

  it('asks for gzip except on loopback under auto, and as told otherwise', async () => {
    expect(wantsGzip('auto', 'prometheus.monitoring.svc')).toBe(true);
    expect(wantsGzip('auto', '10.0.0.7')).toBe(true);
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]']) expect(wantsGzip('auto', host)).toBe(false);
    expect(wantsGzip('gzip', '127.0.0.1')).toBe(true);
    expect(wantsGzip('none', 'prometheus')).toBe(false);
    const { url, seen } = await fakeServer((req, res) => json(res, 200, matrixFor(req.params)));
    for (const compression of ['auto', 'gzip', 'none']) await makeSource({ url, compression }).source.queryRange(q());
    expect(seen.map((s) => s.headers['accept-encoding'])).toEqual([undefined, 'gzip', undefined]);
  });

  it('sends basic auth from a password file, bearer tokens, and never logs secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-prom-'));
    writeFileSync(join(dir, 'password'), 'hunter2-secret\n');
    writeFileSync(join(dir, 'token'), 'tok-from-file\n');
    const { url, seen } = await fakeServer((req, res, n) =>
      n % 2 === 1 ? json(res, 500, { status: 'error', error: 'boom' }) : json(res, 200, matrixFor(req.params)),
    );
    const cases = [
      [
        { basic_auth: { username: 'alice', password_file: join(dir, 'password') } },
        'Basic ' + Buffer.from('alice:hunter2-secret').toString('base64'),
      ],
      [{ bearer_token: 'tok-inline' }, 'Bearer tok-inline'],
      [{ bearer_token_file: join(dir, 'token') }, 'Bearer tok-from-file'],
    ] as const;
    const allLogs: string[] = [];
    for (const [auth, header] of cases) {
      seen.length = 0;
      const { source, logger } = makeSource({ url, ...auth });
      await source.queryRange(q());
      expect(seen.map((s) => s.headers.authorization)).toEqual([header, header]);
      allLogs.push(...logger.lines);
    }
    // credentials in the URL become a header and vanish from what is logged
    seen.length = 0;
    const { source, logger } = makeSource({ url: url.replace('http://', 'http://bob:url-pass@') });
    await source.queryRange(q());
    expect(seen[0].headers.authorization).toBe('Basic ' + Buffer.from('bob:url-pass').toString('base64'));
    allLogs.push(...logger.lines);
    expect(allLogs.length).toBeGreaterThan(0);
    for (const secret of ['hunter2', 'tok-inline', 'tok-from-file', 'url-pass', 'Basic ', 'Bearer ']) {
      expect(allLogs.join('\n')).not.toContain(secret);
    }
  });

  it('names the key when a secret file is missing or auth kinds conflict', () => {
    expect(() => makeSource({ url: 'http://127.0.0.1:1', bearer_token_file: '/nonexistent/token' })).toThrow(
      /source\.prometheus\.bearer_token_file: cannot read "\/nonexistent\/token"/,
    );
    expect(() =>
      makeSource({ url: 'http://127.0.0.1:1', bearer_token: 'a', basic_auth: { username: 'u', password: 'p' } }),
    ).toThrow(/at most one of basic_auth, bearer_token/);
  });
});
