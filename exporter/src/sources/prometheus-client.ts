/**
 * HTTP to a server that speaks the Prometheus API: credentials (never in a URL or a log), TLS,
 * timeouts, bounded response sizes, and retries with full-jitter backoff on network errors,
 * timeouts, 5xx and 429 (honouring Retry-After). Answers come back as bytes; prometheus.ts reads
 * them. Every failure is a SourceError with the reason self-monitoring counts.
 */
import { pipeline, type Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { request, type Agent } from 'undici';
import type { PrometheusSourceConfig } from '../config/schema.js';
import { authorization, clientAgent } from '../util/client-auth.js';
import type { Logger } from '../util/logger.js';
import { SourceError, type SourceErrorReason } from './types.js';

/** Longest wait between retries, whatever the backoff or a Retry-After header says. */
const MAX_RETRY_DELAY_MS = 60_000;
export const ERROR_TEXT_LIMIT = 500;

export interface PrometheusClientOptions {
  config: PrometheusSourceConfig;
  logger: Logger;
  /** waits between retries; rejects when `signal` aborts (injectable so tests do not wait) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** uniform [0, 1) used for backoff jitter */
  random?: () => number;
  /** wall clock in ms, for HTTP-date Retry-After values */
  now?: () => number;
}

export interface HttpAnswer {
  status: number;
  bytes: Buffer;
  ms: number;
}

/** one request: a form POSTed, or GET with the form as the query string */
export interface ApiRequest {
  path: string;
  method: 'GET' | 'POST';
  form: URLSearchParams;
  /** names the request in errors and logs, e.g. `query "cpu" (part 2/3)` */
  what: string;
}

export interface RetryHint {
  retryAfterSeconds?: number;
}

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/** whether to ask for gzip: `auto` asks unless the server is on this machine (see the config schema) */
export function wantsGzip(compression: 'auto' | 'gzip' | 'none', hostname: string): boolean {
  if (compression !== 'auto') return compression === 'gzip';
  const host = hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

/** Drops a response body we will not read, without an unhandled 'error' from undici's abort. */
function discard(stream: Readable): void {
  stream.on('error', () => {});
  stream.destroy();
}

export class PrometheusClient {
  /** the server's base URL without credentials, e.g. `http://prometheus:9090` */
  readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly agent: Agent;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  readonly now: () => number;

  constructor(private readonly options: PrometheusClientOptions) {
    const { config } = options;
    const url = new URL(config.url);
    const headers: Record<string, string> = { ...config.headers };
    // credentials in the URL travel in this header, never in the base URL (logged, labelled)
    const auth = authorization(config, config.url, 'source.prometheus', 'once')();
    if (auth) headers.authorization = auth;
    if (wantsGzip(config.compression, url.hostname)) headers['accept-encoding'] = 'gzip';
    headers.accept = 'application/json';
    this.headers = headers;
    this.base = url.origin + url.pathname.replace(/\/+$/, '');
    this.agent = clientAgent(config, config.timeout, 'source.prometheus');
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * `attempt` (which sends `req` and reads its answer) with retries on what is worth retrying;
   * the last error is thrown as a SourceError.
   */
  async withRetries<T>(req: ApiRequest, attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { retries, retry_backoff } = this.options.config;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        const sourceErr =
          err instanceof SourceError ? err : new SourceError('prometheus', `${req.what}: ${String(err)}`, false);
        if (!sourceErr.retryable || n >= retries || signal?.aborted) throw sourceErr;
        const ceiling = Math.min(MAX_RETRY_DELAY_MS, retry_backoff * 1000 * 2 ** n);
        const retryAfter = (sourceErr as RetryHint).retryAfterSeconds;
        const waitMs =
          retryAfter !== undefined
            ? Math.min(MAX_RETRY_DELAY_MS, retryAfter * 1000)
            : Math.floor(this.random() * ceiling); // full jitter: uniform in [0, ceiling)
        this.options.logger.warn(
          { request: req.what, attempt: n + 1, retries, wait_ms: waitMs, err: sourceErr.message },
          'prometheus request failed, retrying',
        );
        try {
          await this.sleep(waitMs, signal);
        } catch (err) {
          throw new SourceError('prometheus', `${req.what}: aborted while waiting to retry`, false, { cause: err });
        }
      }
    }
  }

  fail(what: string, message: string, retryable: boolean, reason: SourceErrorReason, cause?: unknown): SourceError {
    return new SourceError('prometheus', `${what}: ${message}`, retryable, { cause, reason });
  }

  /** One request; the body as bytes (un-gzipped), bounded by max_response_bytes. */
  async send(req: ApiRequest, callerSignal?: AbortSignal): Promise<HttpAnswer> {
    const { timeout, max_response_bytes } = this.options.config;
    const timeoutSignal = AbortSignal.timeout(timeout * 1000);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeoutSignal]) : timeoutSignal;
    const endpoint = this.base + req.path;
    const started = performance.now();
    const classify = (err: unknown): SourceError => {
      if (err instanceof SourceError) return err;
      if (callerSignal?.aborted) return this.fail(req.what, 'aborted', false, 'other', err);
      if (timeoutSignal.aborted) return this.fail(req.what, `timed out after ${timeout}s`, true, 'timeout', err);
      const e = err as { code?: string; message?: string };
      if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
        return this.fail(req.what, `timed out after ${timeout}s`, true, 'timeout', err);
      }
      const detail = `cannot reach ${endpoint}: ${e.code ? e.code + ' ' : ''}${e.message ?? err}`;
      return this.fail(req.what, detail, true, 'network', err);
    };
    try {
      const post = req.method === 'POST';
      const res = await request(post ? endpoint : `${endpoint}?${req.form.toString()}`, {
        method: req.method,
        headers: post ? { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' } : this.headers,
        body: post ? req.form.toString() : undefined,
        signal,
        dispatcher: this.agent,
      });
      const declared = Number(res.headers['content-length']);
      if (res.headers['content-encoding'] !== 'gzip' && declared > max_response_bytes) {
        discard(res.body);
        throw this.fail(req.what, this.tooBig(declared), false, 'too_large');
      }
      const body: Readable =
        res.headers['content-encoding'] === 'gzip' ? pipeline(res.body, createGunzip(), () => {}) : res.body;
      const parts: Buffer[] = [];
      let size = 0;
      for await (const part of body) {
        size += (part as Buffer).length;
        if (size > max_response_bytes) {
          discard(body);
          discard(res.body);
          throw this.fail(req.what, this.tooBig(size), false, 'too_large');
        }
        parts.push(part as Buffer);
      }
      const answer = {
        status: res.statusCode,
        bytes: Buffer.concat(parts),
        ms: Math.round(performance.now() - started),
      };
      if (answer.status < 200 || answer.status >= 300) throw this.httpError(req, answer, res.headers['retry-after']);
      return answer;
    } catch (err) {
      throw classify(err);
    }
  }

  /** The error for a non-2xx answer, with the server's own message when it sent one. */
  private httpError(req: ApiRequest, answer: HttpAnswer, retryAfter: string | string[] | undefined): SourceError {
    const { status, bytes } = answer;
    const text = bytes.toString('utf8', 0, Math.min(bytes.length, 64 * 1024));
    let apiError: { errorType?: string; error?: string } | undefined;
    try {
      apiError = JSON.parse(text);
    } catch {
      apiError = undefined;
    }
    const detail = apiError?.error
      ? `${apiError.errorType ?? 'error'}: ${apiError.error}`
      : text.slice(0, ERROR_TEXT_LIMIT).trim() || '(empty body)';
    this.options.logger.debug({ request: req.what, status, ms: answer.ms }, 'prometheus request failed');
    const retryable = status === 429 || status >= 500;
    const err = this.fail(req.what, `HTTP ${status} ${detail}`, retryable, status >= 500 ? 'http_5xx' : 'http_4xx');
    if (status === 429 || status === 503)
      (err as RetryHint).retryAfterSeconds = parseRetryAfter(retryAfter, this.now());
    return err;
  }

  private tooBig(bytes: number): string {
    const limit = this.options.config.max_response_bytes;
    return (
      `response exceeds max_response_bytes (${bytes} > ${limit} bytes); ` +
      'narrow the query, raise the step, or raise source.prometheus.max_response_bytes'
    );
  }
}
