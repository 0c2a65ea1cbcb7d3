/**
 * JSON API behind the built-in view: a summary of every series (from the store's records), and one
 * series' recent actuals, latest forecast, past forecasts per horizon and anomalies (the record
 * plus what its worker remembers for display). Responses are bounded by the lookback and the
 * worker's view memory.
 */
import type { FastifyInstance } from 'fastify';
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
    };
  });
  app.get('/api/v1/series', async () => ({
    generatedAt: opts.now(),
    series: [...opts.store.records()].map((r) => summarise(r, entries.get(r.entry))),
  }));
  app.get<{ Params: { id: string } }>('/api/v1/series/:id', async (req, reply) => {
    const r = opts.store.get(req.params.id);
    if (!r && opts.forward && req.headers[FORWARDED_HEADER] === undefined) {
      const answer = await opts.forward.get(req.params.id, req.url);
      if (answer && 'unreachable' in answer) {
        const e = HTTP_ERRORS.OWNER_UNREACHABLE;
        const message = `${e.message} (members ${answer.unreachable.join(', ')})`;
        return reply.code(e.statusCode).send({ error: e.code, message });
      }
      if (answer)
        return reply
          .code(answer.status)
          .type(answer.contentType ?? 'application/json')
          .send(answer.body);
    }
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
