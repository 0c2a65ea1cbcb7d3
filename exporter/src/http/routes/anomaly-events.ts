/**
 * GET /api/v1/series/:id/events?limit=N: the series' anomaly events from the JSONL anomaly log
 * (`anomaly_log.path`), oldest first. Only the log's last READ_BYTES are read, so the cost on this
 * thread is bounded however long the log grows; lines are matched on the series name before they
 * are parsed.
 */
import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { AnomalyEvent } from '../../pipeline/anomaly-log.js';
import { seriesKey } from '../../pipeline/series-key.js';
import type { AnomalyEventsResponse, AnomalyEventView } from '../../view/series-api.js';
import { HTTP_ERRORS, sendError } from '../errors.js';
import type { SeriesPageOptions } from '../view-jobs/series-input.js';
import { relayedToOwner } from './api.js';

/** the end of the log that is read: tens of thousands of events */
export const READ_BYTES = 4 * 1024 * 1024;
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 2000;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The log's last `bytes` as whole lines; `cut` when the log is longer. Missing file: no lines. */
export async function readLogTail(path: string, bytes = READ_BYTES): Promise<{ lines: string[]; cut: boolean }> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], cut: false };
    throw err;
  }
  try {
    const { size } = await file.stat();
    const from = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - from);
    await file.read(buffer, 0, buffer.length, from);
    const lines = buffer.toString('utf8').split('\n');
    // a read that starts mid-file starts mid-line: that partial line is dropped
    if (from > 0) lines.shift();
    return { lines: lines.filter((l) => l.length > 0), cut: from > 0 };
  } finally {
    await file.close();
  }
}

/** The events of the series with key `key` among log lines; lines that do not parse are skipped. */
export function eventsOf(lines: string[], key: string, entry: string): AnomalyEventView[] {
  const needle = JSON.stringify(entry);
  const out: AnomalyEventView[] = [];
  for (const line of lines) {
    if (!line.includes(needle)) continue;
    let e: AnomalyEvent;
    try {
      e = JSON.parse(line) as AnomalyEvent;
    } catch {
      continue;
    }
    if (typeof e.series !== 'string' || seriesKey(e.series, e.labels ?? {}) !== key) continue;
    const t = Date.parse(e.timestamp) / 1000;
    if (!Number.isFinite(t)) continue;
    out.push({
      t,
      value: num(e.value),
      expected: num(e.expected),
      band: Array.isArray(e.band) ? [num(e.band[0]), num(e.band[1])] : null,
      score: num(e.score),
      severity: String(e.severity),
      model: String(e.model),
      detector: String(e.detector),
    });
  }
  return out.sort((a, b) => a.t - b.t);
}

export default async function anomalyEventsRoute(app: FastifyInstance, opts: SeriesPageOptions) {
  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    '/api/v1/series/:id/events',
    async (req, reply) => {
      const record = opts.store.get(req.params.id);
      if (!record) {
        if (await relayedToOwner(req, reply, opts.forward)) return reply;
        return sendError(reply, HTTP_ERRORS.SERIES_NOT_FOUND);
      }
      const limit = req.query.limit === undefined ? DEFAULT_LIMIT : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        return sendError(reply, HTTP_ERRORS.BAD_REQUEST, `limit: 1..${MAX_LIMIT}`);
      }
      if (!opts.anomalyLogPath) return { logged: false, events: [], truncated: false } satisfies AnomalyEventsResponse;
      const { lines, cut } = await readLogTail(opts.anomalyLogPath);
      const events = eventsOf(lines, record.key, record.entry);
      return {
        logged: true,
        events: events.slice(-limit),
        truncated: cut || events.length > limit,
      } satisfies AnomalyEventsResponse;
    },
  );
}
