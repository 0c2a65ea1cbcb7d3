import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { VERSION } from '../version.js';
import { decodeWriteRequestBody, writeRequestBody } from './encoder.js';
import { attempt, backoffMs, deliver, type AttemptOptions, type AttemptResult } from './sender.js';

interface Seen {
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A receiver whose next answers are scripted: the faults a real Prometheus cannot produce on demand. */
let server: Server;
let url: string;
const seen: Seen[] = [];
let script: Array<(res: ServerResponse) => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(parts) });
      const next = script.shift();
      if (next) next(res);
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/write`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const agent = new Agent();
const options = (extra: Partial<AttemptOptions> = {}): AttemptOptions => ({
  url,
  agent,
  headers: () => ({ 'x-scope-orgid': 'tenant-1', authorization: 'Bearer secret' }),
  timeoutSeconds: 5,
  retryOn429: true,
  ...extra,
});
const status =
  (code: number, headers: Record<string, string> = {}, text = '') =>
  (res: ServerResponse) =>
    res.writeHead(code, headers).end(text);
const signal = () => new AbortController().signal;
const series = [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1000 }] }];

describe('one remote-write attempt', () => {
  it('sends the protocol headers, the configured ones and the snappy protobuf body', async () => {
    seen.length = 0;
    const body = await writeRequestBody(series);
    expect(await attempt(options(), body, signal())).toEqual({ ok: true, status: 204 });
    const h = seen[0].headers;
    expect(h['content-encoding']).toBe('snappy');
    expect(h['content-type']).toBe('application/x-protobuf');
    expect(h['user-agent']).toBe(`cloudpulse/${VERSION}`);
    expect(h['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(h['x-scope-orgid']).toBe('tenant-1');
    expect(h.authorization).toBe('Bearer secret');
    expect(decodeWriteRequestBody(seen[0].body)).toEqual(series);
  });

  it('classifies answers: 5xx and 429 retryable (with Retry-After), other 4xx final', async () => {
    const body = await writeRequestBody(series);
    script = [
      status(503, { 'retry-after': '2' }, 'overloaded'),
      status(429, { 'retry-after': '7' }),
      status(400, {}, 'out of bounds'),
      status(500),
    ];
    expect(await attempt(options(), body, signal())).toEqual({
      ok: false,
      retryable: true,
      status: 503,
      retryAfterMs: 2000,
      message: 'HTTP 503: overloaded',
    });
    expect(await attempt(options(), body, signal())).toMatchObject({
      retryable: true,
      status: 429,
      retryAfterMs: 7000,
    });
    expect(await attempt(options(), body, signal())).toEqual({
      ok: false,
      retryable: false,
      status: 400,
      retryAfterMs: undefined,
      message: 'HTTP 400: out of bounds',
    });
    expect(await attempt(options(), body, signal())).toMatchObject({ retryable: true, status: 500 });
    script = [status(429)];
    expect(await attempt(options({ retryOn429: false }), body, signal())).toMatchObject({
      retryable: false,
      status: 429,
    });
  });

  it('treats a refused connection and a timeout as retryable', async () => {
    const body = await writeRequestBody(series);
    const refused = await attempt(options({ url: 'http://127.0.0.1:1/api/v1/write' }), body, signal());
    expect(refused).toMatchObject({ ok: false, retryable: true });
    script = [(res) => setTimeout(() => res.writeHead(204).end(), 1500)];
    const slow = await attempt(options({ timeoutSeconds: 0.2 }), body, signal());
    expect(slow).toEqual({ ok: false, retryable: true, message: 'timed out after 0.2s' });
  });
});

describe('delivery with retries', () => {
  const run = async (answers: AttemptResult[], abortAfter?: number) => {
    const waits: number[] = [];
    let calls = 0;
    const controller = new AbortController();
    const outcome = await deliver(
      async () => {
        calls++;
        if (abortAfter !== undefined && calls > abortAfter) controller.abort();
        return answers.shift() ?? { ok: true, status: 200 };
      },
      Buffer.alloc(1),
      controller.signal,
      {
        minBackoffMs: 30,
        maxBackoffMs: 100,
        sleep: async (ms, s) => {
          if (s.aborted) throw new Error('aborted');
          waits.push(ms);
        },
      },
      { attempted: () => {}, retrying: () => {} },
    );
    return { outcome, waits, calls };
  };
  const fail = (retryable: boolean, retryAfterMs?: number): AttemptResult => ({
    ok: false,
    retryable,
    retryAfterMs,
    message: 'x',
  });

  it('backs off exponentially from min_backoff to max_backoff until it succeeds', async () => {
    const r = await run([fail(true), fail(true), fail(true), fail(true), fail(true)]);
    expect(r.outcome).toEqual({ sent: true });
    expect(r.waits).toEqual([30, 60, 100, 100, 100]);
    expect(r.calls).toBe(6);
  });

  it('waits what Retry-After says instead of the backoff', async () => {
    const r = await run([fail(true, 7000), fail(true)]);
    expect(r.waits).toEqual([7000, 60]);
  });

  it('does not retry a final failure', async () => {
    const r = await run([fail(false)]);
    expect(r.outcome).toMatchObject({ sent: false, aborted: false });
    expect(r.calls).toBe(1);
    expect(r.waits).toEqual([]);
  });

  it('stops retrying when aborted', async () => {
    const r = await run([fail(true), fail(true), fail(true)], 1);
    expect(r.outcome).toMatchObject({ sent: false, aborted: true });
  });

  it('doubles without overflow however long an outage lasts', () => {
    expect(backoffMs(0, 30, 5000)).toBe(30);
    expect(backoffMs(3, 30, 5000)).toBe(240);
    expect(backoffMs(10_000, 30, 5000)).toBe(5000);
  });
});
