/**
 * GET /api/v1/series/:id/model: the model serving a series and, when the config asks for `auto`,
 * the candidates auto compares with their validation errors, re-run now on the series' current
 * history by auto's own validation (models/auto.ts) on the view's worker thread. The fit in
 * service was made at `lastFit` on the history of then, so its ranking may differ slightly.
 */
import type { FastifyInstance } from 'fastify';
import { AUTO_DEFAULTS } from '../../models/auto.js';
import type { ModelChoiceResponse } from '../../view/series-api.js';
import { HTTP_ERRORS, sendError } from '../errors.js';
import type { ValidateJob, ValidateJobResult } from '../view-jobs/jobs.js';
import { readSeriesInput, runOrRefuse, type SeriesPageOptions } from '../view-jobs/series-input.js';
import { relayedToOwner } from './api.js';

const finite = (v: number) => (Number.isFinite(v) ? v : null);

export default async function modelChoiceRoute(app: FastifyInstance, opts: SeriesPageOptions) {
  const entries = new Map(opts.entries.map((e) => [e.name, e]));
  app.get<{ Params: { id: string } }>('/api/v1/series/:id/model', async (req, reply) => {
    const record = opts.store.get(req.params.id);
    if (!record) {
      if (await relayedToOwner(req, reply, opts.forward)) return reply;
      return sendError(reply, HTTP_ERRORS.SERIES_NOT_FOUND);
    }
    const entry = entries.get(record.entry);
    const requested = record.model?.requested ?? entry?.model ?? 'auto';
    const base: ModelChoiceResponse = {
      requested,
      serving: record.model?.name ?? null,
      description: record.model?.description ?? null,
      lastFit: record.model ? finite(record.model.lastFit) : null,
      validation: null,
    };
    if (requested !== 'auto') {
      return { ...base, note: `the config asks for ${requested}, so no candidates are compared` };
    }
    const input = await readSeriesInput(opts.detail, record, undefined, record.lastT);
    if (!input) return sendError(reply, HTTP_ERRORS.SERIES_NOT_FOUND);
    const seasonLengths = (entry?.seasonality ?? []).map((s) => Math.round(s / record.step));
    const job: ValidateJob = {
      type: 'validate',
      start: input.start,
      step: input.step,
      values: input.values,
      seasonLengths: seasonLengths.length > 0 ? seasonLengths : undefined,
    };
    const key = ['validate', record.key, input.start, input.values.length, seasonLengths].join('|');
    const ran = await runOrRefuse(reply, () =>
      opts.jobs.run<ValidateJobResult | undefined>(key, job, [input.values.buffer as ArrayBuffer]),
    );
    if (!ran) return reply;
    const v = ran.value;
    if (!v) return { ...base, note: 'the history is too short to validate on: auto serves the last value' };
    return {
      ...base,
      validation: {
        horizon: v.plan.horizon,
        window: v.plan.window,
        stride: v.plan.stride,
        earlySteps: v.earlySteps,
        combine: AUTO_DEFAULTS.combine,
        combineWithin: AUTO_DEFAULTS.combineWithin,
        candidates: v.candidates.map((c) => ({
          name: c.name,
          description: c.description,
          earlyError: finite(c.earlyError),
          fullError: finite(c.fullError),
        })),
      },
    } satisfies ModelChoiceResponse;
  });
}
