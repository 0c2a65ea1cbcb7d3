/**
 * Delivering one remote-write request body, as the 1.0 specification asks of a sender: the
 * protocol's headers, retries with exponential backoff on 5xx, on 429 (unless switched off) and on
 * network errors or timeouts, the receiver's `Retry-After` honoured, and no retry on any other
 * status (the receiver has said the data is bad; sending it again cannot help). Retries go on
 * until the request succeeds or the caller aborts: the queue behind it is what bounds memory.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { request, type Agent } from 'undici';
import { parseRetryAfter } from '../sources/prometheus.js';
import { VERSION } from '../version.js';

/** The headers remote write 1.0 requires; configured headers cannot replace them. */
export const PROTOCOL_HEADERS: Readonly<Record<string, string>> = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'user-agent': `cloudpulse/${VERSION}`,
  'x-prometheus-remote-write-version': '0.1.0',
};

/** Longest wait a `Retry-After` may ask for; a larger one is cut to this. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;
const ERROR_TEXT_LIMIT = 300;

/** What one attempt gave. */
export type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; retryAfterMs?: number; message: string };

export interface AttemptOptions {
  url: string;
  agent: Agent;
  /** extra headers (configured ones and Authorization), already free of the protocol's */
  headers: () => Record<string, string>;
  timeoutSeconds: number;
  retryOn429: boolean;
  now?: () => number;
}

/** One POST of `body`; never throws. */
export async function attempt(o: AttemptOptions, body: Buffer, signal: AbortSignal): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(o.timeoutSeconds * 1000);
  try {
    const res = await request(o.url, {
      method: 'POST',
      headers: { ...o.headers(), ...PROTOCOL_HEADERS },
      body,
      signal: AbortSignal.any([signal, timeout]),
      dispatcher: o.agent,
    });
    const text = (await res.body.text()).slice(0, ERROR_TEXT_LIMIT).trim();
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status };
    const retryable = status >= 500 || (status === 429 && o.retryOn429);
    const after = retryable ? parseRetryAfter(res.headers['retry-after'], (o.now ?? Date.now)()) : undefined;
    return {
      ok: false,
      retryable,
      status,
      retryAfterMs: after === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, after * 1000),
      message: `HTTP ${status}${text ? `: ${text}` : ''}`,
    };
  } catch (err) {
    if (signal.aborted) return { ok: false, retryable: false, message: 'aborted' };
    if (timeout.aborted) return { ok: false, retryable: true, message: `timed out after ${o.timeoutSeconds}s` };
    const e = err as { code?: string; message?: string };
    return { ok: false, retryable: true, message: `${e.code ? `${e.code} ` : ''}${e.message ?? String(err)}` };
  }
}

/** Backoff before retry number `retry` (0 for the first): min doubling up to max, in ms. */
export function backoffMs(retry: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(retry, 40));
}

export interface DeliveryHooks {
  /** every attempt, with its duration in seconds */
  attempted(seconds: number, result: AttemptResult): void;
  /** before a retry's wait */
  retrying(result: AttemptResult & { ok: false }, waitMs: number, retry: number): void;
}

export interface DeliveryOptions {
  minBackoffMs: number;
  maxBackoffMs: number;
  /** waits between attempts; rejects when `signal` aborts (injectable so tests do not wait) */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export type Delivery = { sent: true } | { sent: false; aborted: boolean; result: AttemptResult & { ok: false } };

/** Sends `body` with `send` until it succeeds, fails for good, or `signal` aborts. */
export async function deliver(
  send: (body: Buffer, signal: AbortSignal) => Promise<AttemptResult>,
  body: Buffer,
  signal: AbortSignal,
  options: DeliveryOptions,
  hooks: DeliveryHooks,
): Promise<Delivery> {
  const sleep = options.sleep ?? ((ms, s) => delay(ms, undefined, { signal: s }));
  for (let retry = 0; ; retry++) {
    const started = performance.now();
    const result = await send(body, signal);
    hooks.attempted((performance.now() - started) / 1000, result);
    if (result.ok) return { sent: true };
    if (!result.retryable || signal.aborted) return { sent: false, aborted: signal.aborted, result };
    const waitMs = result.retryAfterMs ?? backoffMs(retry, options.minBackoffMs, options.maxBackoffMs);
    hooks.retrying(result, waitMs, retry);
    try {
      await sleep(waitMs, signal);
    } catch {
      return { sent: false, aborted: true, result };
    }
  }
}
