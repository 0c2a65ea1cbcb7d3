/**
 * What the series page's model work reads and how it is asked for: a stretch of a series'
 * history, from the worker thread that owns the series (the same `detail` path the charts use),
 * on the series' grid; and the options every per-series page route takes.
 */
import type { FastifyReply } from 'fastify';
import type { SeriesConfig } from '../../config/schema.js';
import type { SeriesForwarder } from '../../cluster/forward.js';
import type { SeriesRecord } from '../../store/record.js';
import type { SeriesStoreReader } from '../../store/series-store.js';
import { HTTP_ERRORS, sendError } from '../errors.js';
import type { SeriesDetailSource } from '../routes/api.js';
import { ViewJobFailed, ViewJobsBusy, type ViewJobs } from './pool.js';

/** the most history points one job reads: two weeks at one minute */
export const MAX_INPUT_POINTS = 20_160;

export interface SeriesPageOptions {
  store: SeriesStoreReader;
  entries: SeriesConfig[];
  detail: SeriesDetailSource;
  jobs: ViewJobs;
  forward?: SeriesForwarder;
  /** the JSONL anomaly log (anomaly_log.path), when configured */
  anomalyLogPath?: string;
}

export interface SeriesInput {
  /** unix seconds of values[0] */
  start: number;
  step: number;
  /** NaN for gaps */
  values: Float64Array;
}

/**
 * The series' history from `from` to `to` (unix seconds, both included; `from` undefined: all
 * that is kept), at most MAX_INPUT_POINTS; undefined when the owner no longer has the series.
 */
export async function readSeriesInput(
  detail: SeriesDetailSource,
  record: SeriesRecord,
  from: number | undefined,
  to: number,
): Promise<SeriesInput | undefined> {
  const step = record.step;
  const wanted = from === undefined ? MAX_INPUT_POINTS : Math.ceil((record.lastT - from) / step) + 1;
  const more = await detail(record.key, Math.max(2, Math.min(MAX_INPUT_POINTS, wanted)));
  if (!more) return undefined;
  const kept = more.actual.filter(([t]) => (from === undefined || t >= from) && t <= to);
  if (kept.length === 0) return { start: to, step, values: new Float64Array(0) };
  // the owner's history is one sample per step, so positions follow from the first time
  const start = kept[0][0];
  const length = Math.round((kept[kept.length - 1][0] - start) / step) + 1;
  const values = new Float64Array(length).fill(NaN);
  for (const [t, v] of kept) values[Math.round((t - start) / step)] = typeof v === 'number' ? v : NaN;
  return { start, step, values };
}

/** Run a job, answering 429 (with Retry-After) when the view's thread is busy and 503 when the job failed. */
export async function runOrRefuse<T>(
  reply: FastifyReply,
  run: () => Promise<{ value: T; cached: boolean }>,
): Promise<{ value: T; cached: boolean } | undefined> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ViewJobsBusy) {
      reply.header('retry-after', String(err.retryAfterSeconds));
      sendError(reply, HTTP_ERRORS.VIEW_BUSY, `retry in ${err.retryAfterSeconds}s`);
      return undefined;
    }
    if (err instanceof ViewJobFailed) {
      sendError(reply, HTTP_ERRORS.VIEW_JOB_FAILED, err.message);
      return undefined;
    }
    throw err;
  }
}
