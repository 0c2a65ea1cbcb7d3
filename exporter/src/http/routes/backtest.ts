/**
 * GET /api/v1/series/:id/backtest: rolling-origin forecasts of several models over a stretch of
 * the series (default: the last day), per configured horizon, with MASE, coverage and MSIS: what
 * `cloudpulse backtest` prints for the same input, computed by the same function on the view's
 * worker thread. The input is the series' history ending at `to`, five times as long as the
 * stretch, because the command's origins lie in the last fifth of its input.
 * GET /api/v1/series/:id/backtest/input.csv: that input as the command reads it.
 *
 * Query: from, to (unix seconds), origins (1..24, default 12), models (comma list); start (unix
 * seconds): the input's first point, as an earlier answer gave it (`input.start`), so the CSV
 * offered with a result is that result's input even after the oldest history has aged out of the
 * lookback (410 once it no longer holds that point).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_MAX_HISTORY } from '../../cli/backtest.js';
import type { SeriesConfig } from '../../config/schema.js';
import { originsFor } from '../../evaluation/rolling-origin.js';
import type { SeriesRecord } from '../../store/record.js';
import {
  BACKTEST_MODELS,
  DEFAULT_BACKTEST_MODELS,
  MAX_BACKTEST_MODELS,
  type BacktestHorizonResult,
  type BacktestResponse,
} from '../../view/series-api.js';
import { HTTP_ERRORS, sendError } from '../errors.js';
import type { BacktestJob, BacktestJobResult } from '../view-jobs/jobs.js';
import { readSeriesInput, runOrRefuse, type SeriesInput, type SeriesPageOptions } from '../view-jobs/series-input.js';
import { relayedToOwner } from './api.js';

const DEFAULT_ORIGINS = 12;
const MAX_ORIGINS = 24;
const DEFAULT_SPAN = 86400;
const MAX_SPAN = 7 * 86400;
/** the command's origins lie in the last fifth of its input (evaluation/rolling-origin.ts) */
const INPUT_PER_SPAN = 5;

type Query = { from?: string; to?: string; origins?: string; models?: string; start?: string };
type Req = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

interface Plan {
  record: SeriesRecord;
  entry: SeriesConfig | undefined;
  from: number;
  to: number;
  origins: number;
  models: string[];
}

/** The request's choices, or an error message. */
function plan(
  q: Query,
  record: SeriesRecord,
  entry: SeriesConfig | undefined,
): Omit<Plan, 'record' | 'entry'> | string {
  const to = q.to === undefined ? record.lastT : Number(q.to);
  if (!Number.isFinite(to)) return 'to: expected unix seconds (the series has no sample yet?)';
  const from = q.from === undefined ? to - DEFAULT_SPAN : Number(q.from);
  if (!Number.isFinite(from) || from >= to) return 'from: expected unix seconds before to';
  if (to - from > MAX_SPAN) return `from..to: at most ${MAX_SPAN / 86400} days`;
  if (to - from < 2 * record.step) return 'from..to: at least two steps';
  const origins = q.origins === undefined ? DEFAULT_ORIGINS : Number(q.origins);
  if (!Number.isInteger(origins) || origins < 1 || origins > MAX_ORIGINS) return `origins: 1..${MAX_ORIGINS}`;
  const configured = entry?.model ?? 'auto';
  const asked =
    q.models === undefined
      ? [...new Set([configured, ...DEFAULT_BACKTEST_MODELS])].filter((m) => BACKTEST_MODELS.includes(m))
      : [
          ...new Set(
            q.models
              .split(',')
              .map((m) => m.trim())
              .filter(Boolean),
          ),
        ];
  const unknown = asked.filter((m) => !BACKTEST_MODELS.includes(m));
  if (unknown.length > 0) return `models: ${unknown.join(', ')} not among ${BACKTEST_MODELS.join(', ')}`;
  if (asked.length === 0 || asked.length > MAX_BACKTEST_MODELS)
    return `models: 1..${MAX_BACKTEST_MODELS} of ${BACKTEST_MODELS.join(', ')}`;
  return { from, to, origins, models: asked };
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);
/** forecasts are for drawing: six significant digits keep the answer small */
const drawn = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);
const percent = (levels: number[]) => levels.map((l) => String(+(l * 100).toFixed(2))).join(',');

function command(p: Plan, steps: number, levels: number[]): string {
  return (
    `cloudpulse backtest --input ${p.record.entry}.csv --horizon ${steps} --origins ${p.origins} ` +
    `--model ${p.models.join(',')} --levels ${percent(levels)}`
  );
}

function response(
  p: Plan,
  input: BacktestResponse['input'],
  levels: number[],
  result: BacktestJobResult,
  cached: boolean,
) {
  const horizons: BacktestHorizonResult[] = result.horizons.map((h) => ({
    horizon: h.steps * input.step,
    steps: h.steps,
    command: command(p, h.steps, levels),
    models: h.models.map(({ model, summary: s, forecasts }) => ({
      model,
      maseMean: finite(s.maseMean),
      smape: finite(s.smape),
      coverage: s.coverage.map(finite),
      msis: s.msisGeoMean.map(finite),
      fails: s.fails,
      fitMsMean: finite(s.fitMsMean),
      scored: forecasts.length,
      forecasts: forecasts.map((f) => ({
        start: input.start + f.origin * input.step,
        failed: f.failed,
        point: f.point.map(drawn),
        intervals: f.intervals.map((iv) => ({
          level: iv.level,
          lower: iv.lower.map(drawn),
          upper: iv.upper.map(drawn),
        })),
      })),
    })),
  }));
  return {
    id: p.record.key,
    input,
    window: { from: p.from, to: p.to },
    origins: p.origins,
    maxHistory: DEFAULT_MAX_HISTORY,
    levels,
    models: p.models,
    horizons,
    elapsedMs: result.elapsedMs,
    cached,
  } satisfies BacktestResponse;
}

export default async function backtestRoutes(app: FastifyInstance, opts: SeriesPageOptions) {
  const entries = new Map(opts.entries.map((e) => [e.name, e]));

  /** the record, the plan and the input, or undefined once a reply was sent */
  async function prepare(req: Req, reply: FastifyReply): Promise<{ p: Plan; input: SeriesInput } | undefined> {
    const record = opts.store.get(req.params.id);
    if (!record) {
      if (!(await relayedToOwner(req, reply, opts.forward))) sendError(reply, HTTP_ERRORS.SERIES_NOT_FOUND);
      return undefined;
    }
    const entry = entries.get(record.entry);
    const chosen = plan(req.query, record, entry);
    if (typeof chosen === 'string') {
      sendError(reply, HTTP_ERRORS.BAD_REQUEST, chosen);
      return undefined;
    }
    const p = { ...chosen, record, entry };
    const start = req.query.start === undefined ? undefined : Number(req.query.start);
    if (start !== undefined && !(Number.isFinite(start) && start <= p.to)) {
      sendError(reply, HTTP_ERRORS.BAD_REQUEST, 'start: expected unix seconds not after to');
      return undefined;
    }
    const input = await readSeriesInput(opts.detail, record, start ?? p.to - INPUT_PER_SPAN * (p.to - p.from), p.to);
    if (!input) {
      sendError(reply, HTTP_ERRORS.SERIES_NOT_FOUND);
      return undefined;
    }
    if (start !== undefined && input.start !== start) {
      sendError(
        reply,
        HTTP_ERRORS.INPUT_GONE,
        `its first point was at ${start}, the history now starts at ${input.start}`,
      );
      return undefined;
    }
    return { p, input };
  }

  app.get<{ Params: { id: string }; Querystring: Query }>(
    '/api/v1/series/:id/backtest/input.csv',
    async (req, reply) => {
      const prepared = await prepare(req, reply);
      if (!prepared) return reply;
      const { start, step, values } = prepared.input;
      const rows = Array.from(values, (v, i) => `${start + i * step},${Number.isFinite(v) ? String(v) : ''}`);
      return reply.type('text/csv; charset=utf-8').send(['timestamp,value', ...rows].join('\n') + '\n');
    },
  );

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/v1/series/:id/backtest', async (req, reply) => {
    const prepared = await prepare(req, reply);
    if (!prepared) return reply;
    const { p, input } = prepared;
    const levels = p.entry?.levels ?? [0.8, 0.95];
    const horizons = [...new Set((p.entry?.horizons ?? []).map((h) => Math.max(1, Math.round(h / input.step))))]
      .sort((a, b) => a - b)
      .filter((steps) => originsFor(input.values.length, steps, p.origins).length > 0);
    if (horizons.length === 0) {
      const have = `${input.values.length} points`;
      return sendError(
        reply,
        HTTP_ERRORS.BAD_REQUEST,
        `the series is too short (${have}) for an origin at any horizon`,
      );
    }
    // the values are handed to the worker thread, not copied: the answer's copy is taken first
    const shape = {
      start: input.start,
      step: input.step,
      length: input.values.length,
      values: Array.from(input.values, finite),
    };
    const job: BacktestJob = {
      type: 'backtest',
      name: p.record.key,
      start: input.start,
      step: input.step,
      values: input.values,
      horizons,
      origins: p.origins,
      maxHistory: DEFAULT_MAX_HISTORY,
      levels,
      models: p.models,
    };
    const key = ['backtest', p.record.key, shape.start, shape.length, p.origins, p.models, horizons, levels].join('|');
    const ran = await runOrRefuse(reply, () =>
      opts.jobs.run<BacktestJobResult>(key, job, [input.values.buffer as ArrayBuffer]),
    );
    if (!ran) return reply;
    return response(p, shape, levels, ran.value, ran.cached);
  });
}
