/**
 * Reads series from any server that speaks the Prometheus HTTP API (Prometheus, Thanos, Mimir,
 * VictoriaMetrics) with `POST /api/v1/query_range`: one logical request per configured query,
 * returning every label set at once. Long ranges are split so no request asks for more than
 * Prometheus' 11,000 points per series, then stitched back together.
 */
import type { PrometheusSourceConfig } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import { sampleValue, scanMatrix, type ScannedSeries } from './matrix-scan.js';
import { PrometheusClient, type ApiRequest, type PrometheusClientOptions } from './prometheus-client.js';
import {
  SourceError,
  type LabelListing,
  type Labels,
  type RangeQuery,
  type Source,
  type SourceSeries,
} from './types.js';

export { parseRetryAfter, wantsGzip } from './prometheus-client.js';

/** Prometheus rejects range queries resolving to more than 11,000 points per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;
/** What the source reports to self-monitoring: bytes received per entry, for answers and listings. */
export interface SourceInstruments {
  responseBytes(series: string, kind: 'query' | 'listing', bytes: number): void;
}

export interface PrometheusSourceOptions extends PrometheusClientOptions {
  config: PrometheusSourceConfig;
  logger: Logger;
  /** points per series per request; lower only in tests */
  maxPointsPerRequest?: number;
  instruments?: SourceInstruments;
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

export class PrometheusSource implements Source {
  readonly kind = 'prometheus';
  readonly simulated = false;
  private readonly client: PrometheusClient;
  private readonly maxPoints: number;

  constructor(private readonly options: PrometheusSourceOptions) {
    this.client = new PrometheusClient(options);
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
      const part = { ...q, ...chunk };
      const req: ApiRequest = {
        path: '/api/v1/query_range',
        method: 'POST',
        what,
        form: new URLSearchParams({
          query: part.query,
          start: String(part.start),
          end: String(part.end),
          step: String(part.step),
          // plain seconds: Prometheus' duration syntax has no fractions, its float-seconds form does
          timeout: String(this.options.config.timeout),
        }),
      };
      results.push(await this.client.withRetries(req, () => this.rangeOnce(part, req, signal), signal));
    }
    return chunks.length === 1 ? results[0] : stitchSeries(results);
  }

  /**
   * Label values from the index, no samples: `/api/v1/label/<name>/values` for one label (a
   * list of strings), `/api/v1/series` for several (label sets, reduced to the wanted names).
   */
  async listLabelValues(l: LabelListing, signal?: AbortSignal): Promise<Labels[]> {
    const single = l.labels.length === 1;
    const form = new URLSearchParams({ start: String(l.start), end: String(l.end) });
    for (const s of l.selectors) form.append('match[]', s);
    const req: ApiRequest = {
      path: single ? `/api/v1/label/${encodeURIComponent(l.labels[0])}/values` : '/api/v1/series',
      // Prometheus 2.42 takes the label values API only as GET; selectors are short
      method: single ? 'GET' : 'POST',
      form,
      what: `label listing of ${l.labels.join(', ')} for ${l.selectors.join(' or ')}`,
    };
    return this.client.withRetries(
      req,
      async () => {
        const answer = await this.client.send(req, signal);
        this.options.instruments?.responseBytes(l.name, 'listing', answer.bytes.length);
        const data = this.envelope(req, JSON.parse(answer.bytes.toString('utf8'))) as unknown;
        if (!Array.isArray(data)) throw this.client.fail(req.what, 'expected a list in "data"', false, 'parse');
        if (single) return (data as string[]).map((v) => ({ [l.labels[0]]: String(v) }));
        const seen = new Map<string, Labels>();
        for (const set of data as Labels[]) {
          const combo = Object.fromEntries(l.labels.map((n) => [n, set[n] ?? '']));
          seen.set(JSON.stringify(l.labels.map((n) => combo[n])), combo);
        }
        return [...seen.values()];
      },
      signal,
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** the `data` of a successful API answer; an error envelope or a non-object is a SourceError */
  private envelope(req: ApiRequest, json: unknown): unknown {
    const env = json as { status?: string; errorType?: string; error?: string; warnings?: string[]; data?: unknown };
    if (!env || typeof env !== 'object')
      throw this.client.fail(req.what, 'answer is not a JSON object', false, 'parse');
    if (env.status === 'error') {
      throw this.client.fail(req.what, `${env.errorType ?? 'error'}: ${env.error ?? ''}`, false, 'http_4xx');
    }
    for (const warning of env.warnings ?? []) {
      this.options.logger.warn({ request: req.what, warning }, 'prometheus returned a warning');
    }
    return env.data;
  }

  private async rangeOnce(q: RangeQuery, req: ApiRequest, signal?: AbortSignal): Promise<SourceSeries[]> {
    const { bytes, ms } = await this.client.send(req, signal);
    this.options.instruments?.responseBytes(q.name, 'query', bytes.length);
    const scanned = await scanMatrix(bytes, yieldToLoop);
    let json: unknown = scanned?.envelope;
    if (!scanned) {
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        const text = bytes.toString('utf8', 0, Math.min(bytes.length, 200));
        throw this.client.fail(req.what, `response is not JSON: ${JSON.stringify(text)}`, false, 'parse');
      }
    }
    this.envelope(req, json);
    const series = parseMatrix(json, req.what, scanned?.result);
    this.options.logger.debug(
      { query: q.name, start: q.start, end: q.end, step: q.step, series: series.length, bytes: bytes.length, ms },
      'prometheus range query',
    );
    return series;
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
