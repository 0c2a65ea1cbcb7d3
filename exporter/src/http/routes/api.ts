/**
 * JSON API behind the built-in view: a summary of every series, and one series' recent actuals,
 * latest forecast, past forecasts per horizon and anomalies. Responses are bounded by the
 * lookback and by SeriesState's view memory.
 */
import type { FastifyInstance } from 'fastify';
import type { Pipeline } from '../../pipeline/pipeline.js';
import type { SeriesState } from '../../pipeline/series-state.js';
import { HTTP_ERRORS } from '../errors.js';

/** at most this many actual points per series in a detail response */
const MAX_ACTUAL_POINTS = 2016;

const num = (v: number) => (Number.isFinite(v) ? v : null);

export function summarise(s: SeriesState) {
  return {
    id: s.key,
    series: s.entry.name,
    labels: s.labels,
    model: s.model?.name ?? null,
    modelDescription: s.model?.description ?? null,
    simulated: s.simulated,
    step: s.step,
    horizons: s.entry.horizons,
    levels: s.entry.levels,
    lastSample: Number.isFinite(s.lastT) ? s.lastT : null,
    anomaly: s.detection
      ? { score: num(s.detection.score), isAnomaly: s.detection.isAnomaly, severity: s.detection.severity }
      : null,
    accuracy: s.accuracy.summary().map((a) => ({
      horizon: a.horizon,
      mase: num(a.mase),
      coverage: Object.fromEntries(Object.entries(a.coverage).map(([k, v]) => [k, num(v)])),
      evaluated: a.evaluated,
    })),
  };
}

function detail(s: SeriesState) {
  const from = Math.max(0, s.values.length - MAX_ACTUAL_POINTS);
  const actual: Array<[number, number | null]> = [];
  for (let i = from; i < s.values.length; i++) actual.push([s.start + i * s.step, num(s.values[i])]);
  const f = s.forecast;
  return {
    ...summarise(s),
    actual,
    forecast: f
      ? {
          start: f.origin + f.step,
          step: f.step,
          point: f.result.point.map(num),
          intervals: f.result.intervals.map((iv) => ({
            level: iv.level,
            lower: iv.lower.map(num),
            upper: iv.upper.map(num),
          })),
        }
      : null,
    pastForecasts: s.entry.horizons.map((horizon, i) => ({
      horizon,
      points: s.pastForecasts[i].map(([t, yhat, bands]) => [
        t,
        num(yhat),
        Object.fromEntries(bands.map((b, k) => [String(s.entry.levels[k]), [num(b[0]), num(b[1])]])),
      ]),
    })),
    anomalies: s.anomalies,
  };
}

export default async function apiRoutes(app: FastifyInstance, opts: { pipeline: Pipeline }) {
  app.get('/api/v1/series', async () => ({
    generatedAt: opts.pipeline.now(),
    series: [...opts.pipeline.series.values()].map(summarise),
  }));
  app.get<{ Params: { id: string } }>('/api/v1/series/:id', async (req, reply) => {
    const s = opts.pipeline.series.get(req.params.id);
    if (!s)
      return reply
        .code(404)
        .send({ error: HTTP_ERRORS.SERIES_NOT_FOUND.code, message: HTTP_ERRORS.SERIES_NOT_FOUND.message });
    return detail(s);
  });
}
