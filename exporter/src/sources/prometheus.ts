/**
 * Reads series from any server that speaks the Prometheus HTTP API (Prometheus, Thanos, Mimir,
 * VictoriaMetrics) with `POST /api/v1/query_range`: one logical request per configured query,
 * returning every label set at once. Long ranges are split so no request asks for more than
 * Prometheus' 11,000 points per series, then stitched back together.
 */
import { readFileSync } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { Agent, request } from 'undici';
import type { PrometheusSourceConfig } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import { sampleValue, scanMatrix, type ScannedSeries } from './matrix-scan.js';
import {
  SourceError,
  type Labels,
  type SourceErrorReason,
  type RangeQuery,
  type Source,
  type SourceSeries,
} from './types.js';

/** Prometheus rejects range queries resolving to more than 11,000 points per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;
/** Longest wait between retries, whatever the backoff or a Retry-After header says. */
const MAX_RETRY_DELAY_MS = 60_000;
const ERROR_TEXT_LIMIT = 500;

export interface PrometheusSourceOptions {
  config: PrometheusSourceConfig;
  logger: Logger;
  /** waits between retries; rejects when `signal` aborts (injectable so tests do not wait) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** uniform [0, 1) used for backoff jitter */
  random?: () => number;
  /** wall clock in ms, for HTTP-date Retry-After values */
  now?: () => number;
  /** points per series per request; lower only in tests */
  maxPointsPerRequest?: number;
}

/** The time ranges `[start, end]` at `step` is split into; chunk k starts on start + k*maxPoints*step. */
export function splitRange(
  start: number,
  end: number,
  step: number,
  maxPoints = PROMETHEUS_MAX_POINTS,
): { start: number; end: number }[] {
  if (!(step > 0) || !(end >= start)) throw new RangeError(`bad range start=${start} end=${end} step=${step}`);
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`bad maxPoints ${maxPoints}`);
  const total = Math.floor((end - start) / step + 1e-9) + 1;
  const chunks = [];
  for (let first = 0; first < total; first += maxPoints) {
    const last = Math.min(total, first + maxPoints) - 1;
    // multiply rather than accumulate, so fractional steps do not drift
    chunks.push({ start: start + first * step, end: last === total - 1 ? end : start + last * step });
  }
  return chunks;
}

const CLASSIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `query` restricted to exactly the label sets `only`, in PromQL: `(query) and on(labels) (a vector
 * holding just those label sets)`, built from `vector(1)` with `label_replace`. Used to backfill
 * label sets that appear after start without fetching the history of all the others again.
 */
export function restrictToLabelSets(query: string, only: Labels[]): string {
  const names = [...new Set(only.flatMap((l) => Object.keys(l)))].sort();
  const quote = (s: string) => JSON.stringify(s);
  const sets = only.map((labels) =>
    Object.entries(labels).reduce(
      (expr, [name, value]) => `label_replace(${expr}, ${quote(name)}, ${quote(value)}, "", "")`,
      'vector(1)',
    ),
  );
  const on = names.map((n) => (CLASSIC_NAME.test(n) ? n : quote(n))).join(', ');
  return `(${query}) and on(${on}) (${sets.join(' or ')})`;
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface MatrixResult {
  metric: Labels;
  values?: [number, string][];
}

/**
 * Parses a query_range response body (already known to be JSON) into series; `scanned` is its
 * result array when matrix-scan.ts read it from the bytes (then the body's own array is empty).
 */
export function parseMatrix(body: unknown, what: string, scanned?: ScannedSeries[]): SourceSeries[] {
  const data = (body as { data?: { resultType?: string; result?: unknown } })?.data;
  if (!data || data.resultType !== 'matrix' || !Array.isArray(data.result)) {
    throw new SourceError(
      'prometheus',
      `${what}: expected a "matrix" result, got ${data ? JSON.stringify(data.resultType) : 'no data'}`,
      false,
      { reason: 'parse' },
    );
  }
  const seen = new Set<string>();
  const results: Array<MatrixResult | ScannedSeries> = scanned ?? (data.result as MatrixResult[]);
  // label sets are unique in an answer: dropping __name__ can only collide when names differ
  const names = new Set(results.map((r) => r.metric.__name__));
  return results.map((r) => {
    const labels: Labels = { ...r.metric };
    delete labels.__name__;
    if (names.size > 1) {
      const key = seriesKey(labels);
      if (seen.has(key)) {
        throw new SourceError(
          'prometheus',
          `${what}: several series differ only by metric name (${key}); aggregate them or keep a distinguishing label`,
          false,
          { reason: 'parse' },
        );
      }
      seen.add(key);
    }
    if ('timestamps' in r) return { labels, timestamps: r.timestamps, values: r.values };
    const values = r.values ?? [];
    return {
      labels,
      timestamps: values.map((p) => Number(p[0])),
      values: values.map((p) => sampleValue(p[1])),
    };
  });
}

/** Joins chunk results: same label set -> one series, ordered by time, boundary duplicates dropped. */
export function stitchSeries(chunks: SourceSeries[][]): SourceSeries[] {
  const byKey = new Map<string, SourceSeries>();
  for (const chunk of chunks) {
    for (const s of chunk) {
      const key = seriesKey(s.labels);
      const into = byKey.get(key);
      if (!into) byKey.set(key, { labels: s.labels, timestamps: [...s.timestamps], values: [...s.values] });
      else {
        into.timestamps.push(...s.timestamps);
        into.values.push(...s.values);
      }
    }
  }
  for (const s of byKey.values()) {
    const order = s.timestamps.map((_, i) => i).sort((a, b) => s.timestamps[a] - s.timestamps[b] || b - a);
    const timestamps: number[] = [];
    const values: number[] = [];
    for (const i of order) {
      // on equal timestamps the later chunk (sorted first among equals) wins
      if (timestamps.length && timestamps[timestamps.length - 1] === s.timestamps[i]) continue;
      timestamps.push(s.timestamps[i]);
      values.push(s.values[i]);
    }
    s.timestamps = timestamps;
    s.values = values;
  }
  return [...byKey.values()];
}

function readSecret(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`source.prometheus.${key}: cannot read "${path}": ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

export class PrometheusSource implements Source {
  readonly kind = 'prometheus';
  readonly simulated = false;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly agent: Agent;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly maxPoints: number;

  constructor(private readonly options: PrometheusSourceOptions) {
    const { config } = options;
    const url = new URL(config.url);
    const headers: Record<string, string> = { ...config.headers };
    let auth: string | undefined;
    // credentials in the URL become a header so the URL itself never carries (or logs) them
    if (url.username) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      auth = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
      url.username = '';
      url.password = '';
    }
    const authKinds = [config.basic_auth, config.bearer_token, config.bearer_token_file].filter((x) => x !== undefined);
    if (authKinds.length > 1) {
      throw new Error('source.prometheus: expected at most one of basic_auth, bearer_token, bearer_token_file');
    }
    if (config.basic_auth) {
      const { username, password, password_file } = config.basic_auth;
      const secret = password ?? readSecret(password_file!, 'basic_auth.password_file');
      auth = 'Basic ' + Buffer.from(`${username}:${secret}`).toString('base64');
    } else if (config.bearer_token !== undefined) auth = `Bearer ${config.bearer_token}`;
    else if (config.bearer_token_file !== undefined) {
      auth = `Bearer ${readSecret(config.bearer_token_file, 'bearer_token_file')}`;
    }
    if (auth) headers.authorization = auth;
    headers['content-type'] = 'application/x-www-form-urlencoded';
    if (wantsGzip(config.compression, url.hostname)) headers['accept-encoding'] = 'gzip';
    headers.accept = 'application/json';
    this.headers = headers;
    this.endpoint = url.origin + url.pathname.replace(/\/+$/, '') + '/api/v1/query_range';

    const ca = config.tls.ca_file ? readSecret(config.tls.ca_file, 'tls.ca_file') : undefined;
    this.agent = new Agent({
      connect: { ca, rejectUnauthorized: !config.tls.insecure_skip_verify },
      headersTimeout: config.timeout * 1000,
      bodyTimeout: config.timeout * 1000,
    });
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.maxPoints = options.maxPointsPerRequest ?? PROMETHEUS_MAX_POINTS;
  }

  async queryRange(q: RangeQuery, signal?: AbortSignal): Promise<SourceSeries[]> {
    if (q.only) {
      if (q.only.length === 0) return [];
      q = { ...q, query: restrictToLabelSets(q.query, q.only), only: undefined };
    }
    const chunks = splitRange(q.start, q.end, q.step, this.maxPoints);
    const results: SourceSeries[][] = [];
    // sequential on purpose: one query at a time is gentle on the server and bounds our memory
    for (const [i, chunk] of chunks.entries()) {
      const what = `query "${q.name}"` + (chunks.length > 1 ? ` (part ${i + 1}/${chunks.length})` : '');
      results.push(await this.withRetries({ ...q, ...chunk }, what, signal));
    }
    return chunks.length === 1 ? results[0] : stitchSeries(results);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async withRetries(q: RangeQuery, what: string, signal?: AbortSignal): Promise<SourceSeries[]> {
    const { retries, retry_backoff } = this.options.config;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.fetchOnce(q, what, signal);
      } catch (err) {
        const sourceErr =
          err instanceof SourceError ? err : new SourceError('prometheus', `${what}: ${String(err)}`, false);
        if (!sourceErr.retryable || attempt >= retries || signal?.aborted) throw sourceErr;
        const ceiling = Math.min(MAX_RETRY_DELAY_MS, retry_backoff * 1000 * 2 ** attempt);
        const retryAfter = (sourceErr as RetryHint).retryAfterSeconds;
        const waitMs =
          retryAfter !== undefined
            ? Math.min(MAX_RETRY_DELAY_MS, retryAfter * 1000)
            : Math.floor(this.random() * ceiling); // full jitter: uniform in [0, ceiling)
        this.options.logger.warn(
          { query: q.name, attempt: attempt + 1, retries, wait_ms: waitMs, err: sourceErr.message },
          'prometheus request failed, retrying',
        );
        try {
          await this.sleep(waitMs, signal);
        } catch (err) {
          throw new SourceError('prometheus', `${what}: aborted while waiting to retry`, false, { cause: err });
        }
      }
    }
  }

  private async fetchOnce(q: RangeQuery, what: string, callerSignal?: AbortSignal): Promise<SourceSeries[]> {
    const { timeout, max_response_bytes } = this.options.config;
    const timeoutSignal = AbortSignal.timeout(timeout * 1000);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeoutSignal]) : timeoutSignal;
    const form = new URLSearchParams({
      query: q.query,
      start: String(q.start),
      end: String(q.end),
      step: String(q.step),
      // plain seconds: Prometheus' duration syntax has no fractions, its float-seconds form does
      timeout: String(timeout),
    });
    const started = performance.now();
    const fail = (message: string, retryable: boolean, reason: SourceErrorReason, cause?: unknown) =>
      new SourceError('prometheus', `${what}: ${message}`, retryable, { cause, reason });
    const classify = (err: unknown): SourceError => {
      if (err instanceof SourceError) return err;
      if (callerSignal?.aborted) return fail('aborted', false, 'other', err);
      if (timeoutSignal.aborted) return fail(`timed out after ${timeout}s`, true, 'timeout', err);
      const e = err as { code?: string; message?: string };
      if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
        return fail(`timed out after ${timeout}s`, true, 'timeout', err);
      }
      return fail(
        `cannot reach ${this.endpoint}: ${e.code ? e.code + ' ' : ''}${e.message ?? err}`,
        true,
        'network',
        err,
      );
    };

    let bytes: Buffer;
    let size = 0;
    let status: number;
    let retryAfter: string | string[] | undefined;
    try {
      const res = await request(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body: form.toString(),
        signal,
        dispatcher: this.agent,
      });
      status = res.statusCode;
      retryAfter = res.headers['retry-after'];
      const declared = Number(res.headers['content-length']);
      if (res.headers['content-encoding'] !== 'gzip' && declared > max_response_bytes) {
        discard(res.body);
        throw fail(this.tooBig(declared), false, 'too_large');
      }
      const body: Readable =
        res.headers['content-encoding'] === 'gzip' ? pipeline(res.body, createGunzip(), () => {}) : res.body;
      const parts: Buffer[] = [];
      for await (const part of body) {
        size += (part as Buffer).length;
        if (size > max_response_bytes) {
          discard(body);
          discard(res.body);
          throw fail(this.tooBig(size), false, 'too_large');
        }
        parts.push(part as Buffer);
      }
      bytes = Buffer.concat(parts);
    } catch (err) {
      throw classify(err);
    }

    const ms = Math.round(performance.now() - started);
    const scanned = status >= 200 && status < 300 ? await scanMatrix(bytes, yieldToLoop) : undefined;
    const text = scanned ? '' : bytes.toString('utf8');
    let json: unknown = scanned?.envelope;
    if (!scanned) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    const apiError = json as { status?: string; errorType?: string; error?: string; warnings?: string[] } | undefined;
    if (status < 200 || status >= 300 || apiError?.status === 'error') {
      const detail = apiError?.error
        ? `${apiError.errorType ?? 'error'}: ${apiError.error}`
        : (text || bytes.toString('utf8', 0, ERROR_TEXT_LIMIT)).slice(0, ERROR_TEXT_LIMIT).trim() || '(empty body)';
      const retryable = status === 429 || status >= 500;
      this.options.logger.debug({ query: q.name, status, ms }, 'prometheus request failed');
      const err = fail(`HTTP ${status} ${detail}`, retryable, status >= 500 ? 'http_5xx' : 'http_4xx') as SourceError &
        RetryHint;
      if (status === 429 || status === 503) err.retryAfterSeconds = parseRetryAfter(retryAfter, this.now());
      throw err;
    }
    if (json === undefined) {
      throw fail(`response is not JSON (HTTP ${status}): ${JSON.stringify(text.slice(0, 200))}`, false, 'parse');
    }
    for (const warning of apiError?.warnings ?? []) {
      this.options.logger.warn({ query: q.name, warning }, 'prometheus returned a warning');
    }
    const series = parseMatrix(json, what, scanned?.result);
    this.options.logger.debug(
      { query: q.name, start: q.start, end: q.end, step: q.step, series: series.length, bytes: size, ms },
      'prometheus range query',
    );
    return series;
  }

  private tooBig(bytes: number): string {
    const limit = this.options.config.max_response_bytes;
    return (
      `response exceeds max_response_bytes (${bytes} > ${limit} bytes); ` +
      'narrow the query, raise the step, or raise source.prometheus.max_response_bytes'
    );
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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

interface RetryHint {
  retryAfterSeconds?: number;
}
