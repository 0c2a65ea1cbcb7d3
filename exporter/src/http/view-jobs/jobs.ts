/**
 * The model work the series page asks for, as plain functions of their inputs: a backtest of
 * several models at several horizons (exactly what `cloudpulse backtest` computes, through its
 * own computeBacktest), and auto's validation of its candidates on a history. They run on the
 * view's worker thread (pool.ts), never on the thread that answers scrapes.
 */
import { computeBacktest } from '../../cli/backtest.js';
import { AUTO_DEFAULTS, recentError, validateCandidates } from '../../models/auto.js';
import { getModel } from '../../models/index.js';
import { threadId } from 'node:worker_threads';
import type { HorizonSummary } from '../../evaluation/rolling-origin.js';

export interface BacktestJob {
  type: 'backtest';
  name: string;
  start: number;
  step: number;
  /** on the series' grid, NaN for gaps */
  values: Float64Array;
  /** in steps, one backtest each (as one `cloudpulse backtest --horizon N` each) */
  horizons: number[];
  origins: number;
  maxHistory: number;
  levels: number[];
  models: string[];
}

export interface BacktestJobResult {
  horizons: Array<{
    steps: number;
    models: Array<{
      model: string;
      summary: HorizonSummary;
      forecasts: Array<{
        /** index of the first forecast step in `values` */
        origin: number;
        failed: boolean;
        point: number[];
        intervals: Array<{ level: number; lower: number[]; upper: number[] }>;
      }>;
    }>;
  }>;
  elapsedMs: number;
  /** the thread that computed it (0 is the main thread) */
  thread: number;
}

export interface ValidateJob {
  type: 'validate';
  start: number;
  step: number;
  values: Float64Array;
  seasonLengths?: number[];
}

export interface ValidateJobResult {
  plan: { horizon: number; window: number; stride: number };
  earlySteps: number;
  candidates: Array<{ name: string; description: string; earlyError: number; fullError: number }>;
  thread: number;
}

export type ViewJob = BacktestJob | ValidateJob;

async function backtest(job: BacktestJob): Promise<BacktestJobResult> {
  const t0 = performance.now();
  const models = job.models.map((name) => {
    const model = getModel(name);
    if (!model) throw new Error(`unknown model ${name}`);
    return model;
  });
  const series = [{ name: job.name, start: job.start, step: job.step, values: job.values }];
  const horizons: BacktestJobResult['horizons'] = [];
  for (const steps of job.horizons) {
    const settings = { horizon: steps, origins: job.origins, maxHistory: job.maxHistory, levels: job.levels };
    const { summary, runs } = await computeBacktest(series, models, settings);
    horizons.push({
      steps,
      models: summary.map((row, m) => ({
        model: row.model,
        summary: row.summary,
        forecasts: runs[0].models[m].forecasts.map((f) => ({
          origin: f.origin,
          failed: f.failed,
          point: Array.from(f.result.point),
          intervals: f.result.intervals.map((iv) => ({
            level: iv.level,
            lower: Array.from(iv.lower),
            upper: Array.from(iv.upper),
          })),
        })),
      })),
    });
  }
  return { horizons, elapsedMs: performance.now() - t0, thread: threadId };
}

/**
 * auto's own validation of its candidates (models/auto.ts), with each candidate's error over the
 * first steps and over the whole horizon as auto weighs them by default: per origin, then over
 * every origin of the window.
 */
async function validate(job: ValidateJob): Promise<ValidateJobResult | undefined> {
  const validated = await validateCandidates(
    { values: job.values, step: job.step, start: job.start },
    { seasonLengths: job.seasonLengths },
  );
  if (!validated) return undefined;
  const { plan, validations } = validated;
  const earlySteps = Math.min(plan.horizon - 1, Math.round(AUTO_DEFAULTS.earlySeconds / job.step));
  const every = Number.MAX_SAFE_INTEGER;
  const weighting = AUTO_DEFAULTS.errorWeighting;
  return {
    plan: { horizon: plan.horizon, window: plan.window, stride: plan.stride },
    earlySteps,
    candidates: validations.map((v) => ({
      name: v.name,
      description: v.fitted.description,
      earlyError: earlySteps > 0 ? recentError(v.errors, every, earlySteps, weighting) : NaN,
      fullError: recentError(v.errors, every, plan.horizon, weighting),
    })),
    thread: threadId,
  };
}

export async function runViewJob(job: ViewJob): Promise<BacktestJobResult | ValidateJobResult | undefined> {
  return job.type === 'backtest' ? backtest(job) : validate(job);
}
