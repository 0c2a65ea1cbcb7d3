import { describe, expect, it } from 'vitest';
import { ViewJobFailed, ViewJobs, ViewJobsBusy } from './pool.js';
import type { BacktestJobResult, ValidateJob, ValidateJobResult } from './jobs.js';
import { dailySeries } from '../../../test/fixtures/synthetic-series.js';

const series = dailySeries({ points: 3 * 288, seed: 4, level: 50 });
const validate = (): ValidateJob => ({
  type: 'validate',
  start: series.start,
  step: series.step,
  values: Float64Array.from(series.values),
});

describe('ViewJobs', () => {
  it('runs jobs on a worker thread, shares identical requests and keeps their answers', async () => {
    const jobs = new ViewJobs();
    try {
      const [a, b] = await Promise.all([
        jobs.run<ValidateJobResult>('k', validate()),
        jobs.run<ValidateJobResult>('k', validate()),
      ]);
      expect(a.value.thread).toBeGreaterThan(0);
      expect(a.cached).toBe(false);
      expect(b.cached).toBe(true);
      expect(b.value).toEqual(a.value);
      expect(a.value.candidates.map((c) => c.name)).toContain('sarima');
      expect((await jobs.run('k', validate())).cached).toBe(true);
    } finally {
      await jobs.close();
    }
  });

  it('refuses beyond its queue with a retry time, and runs the rest one at a time', async () => {
    const jobs = new ViewJobs({ maxQueued: 1 });
    try {
      const first = jobs.run('a', validate());
      const second = jobs.run('b', validate());
      expect(jobs.load).toBe(2);
      const refused = await jobs.run('c', validate()).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ViewJobsBusy);
      expect((refused as ViewJobsBusy).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      await Promise.all([first, second]);
      expect(jobs.load).toBe(0);
    } finally {
      await jobs.close();
    }
  });

  it('fails a job that outlives its time, or that the thread rejects, and recovers for the next', async () => {
    const slow = new ViewJobs({ timeoutMs: 1 });
    try {
      await expect(slow.run('a', validate())).rejects.toThrow(/took longer than/);
    } finally {
      await slow.close();
    }
    const jobs = new ViewJobs();
    try {
      const bad = { ...validate(), type: 'backtest', models: ['no_such_model'], horizons: [1] } as never;
      const error = await jobs.run<BacktestJobResult>('bad', bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ViewJobFailed);
      expect((error as Error).message).toMatch(/unknown model no_such_model/);
      expect((await jobs.run<ValidateJobResult>('good', validate())).value.candidates.length).toBeGreaterThan(0);
    } finally {
      await jobs.close();
    }
    await expect(jobs.run('after', validate())).rejects.toThrow(/shutting down/);
  });
});
