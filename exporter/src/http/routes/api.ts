/**
 * JSON API behind the built-in view: a summary of every series (from the store's records), and one
 * series' recent actuals, latest forecast, past forecasts per horizon and anomalies (the record
 * plus what its worker remembers for display). Responses are bounded by the lookback and the
 * worker's view memory.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SeriesConfig } from '../../config/schema.js';
import type { SeriesRecord } from '../../store/record.js';
import type { SeriesStoreReader } from '../../store/series-store.js';
import { HTTP_ERRORS } from '../errors.js';
import { FORWARDED_HEADER } from '../../cluster/peers.js';
import type { SeriesForwarder } from '../../cluster/forward.js';

/** at most this many actual points per series in a detail response */
const MAX_ACTUAL_POINTS = 2016;

const num = (v: number) => (Number.isFinite(v) ? v : null);
const nums = (a: ArrayLike<number>) => Array.from(a, num);

export interface SeriesDetailSource {
  (
    key: string,
    maxPoints: number,
  ): Promise<
    | {
        actual: Array<[number, number]>;
        pastForecasts: Array<{ horizon: number; points: Array<[number, number, Record<string, [number, number]>]> }>;
        anomalies: Array<[number, number, number]>;
      }
    | undefined
  >;
}

export interface ApiOptions {
  store: SeriesStoreReader;
  entries: SeriesConfig[];
  detail: SeriesDetailSource;
  now: () => number;
  /** model work still queued in the workers */
  backlog: () => { series: number; fits: number; refits?: number; warmups: number };
  /** on a fleet: a series another member owns, asked of that member */
  forward?: SeriesForwarder;
  /** the main thread's largest event-loop delay over the last `seconds`, ms */
  loopDelayMs?: (seconds: number) => number;
}

/**
 * On a fleet, a request under /api/v1/series/:id for a series this member does not hold is
 * answered with its owner's answer (or 503 when no owner answers). True when a reply was sent;
 * false when the request is this member's to answer (no fleet, already forwarded, or no owner).
 */
export async function relayedToOwner(
  req: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  forward: SeriesForwarder | undefined,
): Promise<boolean> {
  if (!forward || req.headers[FORWARDED_HEADER] !== undefined) return false;
  const answer = await forward.get(req.params.id, req.url);
  if (!answer) return false;
  if ('unreachable' in answer) {
    const e = HTTP_ERRORS.OWNER_UNREACHABLE;
    const message = `${e.message} (members ${answer.unreachable.join(', ')})`;
    reply.code(e.statusCode).send({ error: e.code, message });
    return true;
  }
  reply
    .code(answer.status)
    .type(answer.contentType ?? 'application/json')
    .send(answer.body);
  return true;
}

export function summarise(r: SeriesRecord, entry: SeriesConfig | undefined) {
  return {
    id: r.key,
    series: r.entry,
    labels: r.labels,
    model: r.model?.name ?? null,
    modelRequested: r.model?.requested ?? entry?.model ?? null,
    modelDescription: r.model?.description ?? null,
    simulated: r.simulated,
    step: r.step,
    horizons: entry?.horizons ?? [],
    levels: entry?.levels ?? [],
    lastSample: num(r.lastT),
    anomaly: r.detection
      ? { score: num(r.detection.score), isAnomaly: r.detection.isAnomaly, severity: r.detection.severity }
      : null,
    accuracy: r.accuracy.map((a) => ({
      horizon: a.horizon,
      mase: num(a.mase),
      coverage: Object.fromEntries(Object.entries(a.coverage).map(([k, v]) => [k, num(v)])),
      evaluated: a.evaluated,
    })),
  };
}

export default async function apiRoutes(app: FastifyInstance, opts: ApiOptions) {
  const entries = new Map(opts.entries.map((e) => [e.name, e]));
  // progress of long work, cheap to poll: counts only
  app.get('/api/v1/status', async () => {
    const b = opts.backlog();
    return {
      generatedAt: opts.now(),
      series: opts.store.size(),
      forecasting: opts.store.forecasting,
      waitingFirstFit: b.fits,
      refitsDue: b.refits ?? 0,
      warmingUp: b.warmups,
      // how long this thread was held lately: what a scrape arriving then waited at least
      eventLoopDelayMs: opts.loopDelayMs && { max10s: opts.loopDelayMs(10), max60s: opts.loopDelayMs(60) },
    };
  });
  app.get('/api/v1/series', async () => ({
    generatedAt: opts.now(),
    series: [...opts.store.records()].map((r) => summarise(r, entries.get(r.entry))),
  }));
  app.get<{ Params: { id: string } }>('/api/v1/series/:id', async (req, reply) => {
    const r = opts.store.get(req.params.id);
    if (!r && (await relayedToOwner(req, reply, opts.forward))) return reply;
    const more = r ? await opts.detail(r.key, MAX_ACTUAL_POINTS) : undefined;
    if (!r || !more) {
      const e = HTTP_ERRORS.SERIES_NOT_FOUND;
      return reply.code(e.statusCode).send({ error: e.code, message: e.message });
    }
    const f = r.forecast;
    return {
      ...summarise(r, entries.get(r.entry)),
      actual: more.actual.map(([t, v]) => [t, num(v)]),
      forecast: f
        ? {
            start: f.origin + f.step,
            step: f.step,
            point: nums(f.point),
            intervals: f.intervals.map((iv) => ({ level: iv.level, lower: nums(iv.lower), upper: nums(iv.upper) })),
          }
        : null,
      pastForecasts: more.pastForecasts.map(({ horizon, points }) => ({
        horizon,
        points: points.map(([t, yhat, bands]) => [
          t,
          num(yhat),
          Object.fromEntries(Object.entries(bands).map(([k, [lo, hi]]) => [k, [num(lo), num(hi)]])),
        ]),
      })),
      anomalies: more.anomalies.map(([t, score, severity]) => [t, num(score), severity]),
    };
  });
}
