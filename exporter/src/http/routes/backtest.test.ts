import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../config/load.js';
import { backtestCommand } from '../../cli/backtest.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import type { BacktestResponse } from '../../view/series-api.js';
import { ViewJobs } from '../view-jobs/pool.js';
import { testApp } from '../../../test/fixtures/test-app.js';

const CONFIG = `
source: {simulation: {instances: 1, seed: 5, history: 3d, anomalies: false}}
series:
  - {name: cpu, query: q, simulate: cpu, model: ets, lookback: 3d, horizons: [15m, 1h]}
`;

let app: FastifyInstance;
let pipeline: Pipeline;
let id: string;

beforeAll(async () => {
  ({ app, pipeline } = await testApp(parseConfig(CONFIG, 't.yml')));
  await pipeline.runCycle();
  await pipeline.whenIdle();
  id = encodeURIComponent([...pipeline.store.records()][0].key);
});
afterAll(() => app.close());

/** `cloudpulse backtest` in this process, on a CSV file; its --json output */
async function cli(csv: string, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-page-backtest-'));
  writeFileSync(join(dir, 'cpu.csv'), csv);
  const json = join(dir, 'out.json');
  const ctx = { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, interactive: false };
  expect(await backtestCommand.run(['--input', join(dir, 'cpu.csv'), ...args, '--json', json], ctx)).toBe(0);
  return JSON.parse(readFileSync(json, 'utf8')) as {
    models: Array<{
      model: string;
      summary: { maseMean: number; smape: number; coverage: number[]; msisGeoMean: number[]; fails: number };
    }>;
  };
}

describe('GET /api/v1/series/:id/backtest', () => {
  it('gives, per horizon, the numbers `cloudpulse backtest` prints for its own input', async () => {
    const res = await app.inject(`/api/v1/series/${id}/backtest`);
    expect(res.statusCode).toBe(200);
    const body = res.json<BacktestResponse>();
    // the configured model first, then auto and its registered candidates
    expect(body.models).toEqual(['ets', 'auto', 'seasonal_naive', 'sarima']);
    expect(body.horizons.map((h) => [h.horizon, h.steps])).toEqual([
      [900, 3],
      [3600, 12],
    ]);
    // the last day was asked for; three days is all there is, so the input is all of it
    expect(body.window.to - body.window.from).toBe(86400);
    expect(body.input.length).toBe(864);
    const csv = (await app.inject(`/api/v1/series/${id}/backtest/input.csv`)).body;
    expect(csv.trim().split('\n')).toHaveLength(1 + 864);
    for (const h of body.horizons) {
      expect(h.command).toBe(
        `cloudpulse backtest --input cpu.csv --horizon ${h.steps} --origins 12 --model ets,auto,seasonal_naive,sarima --levels 80,95`,
      );
      const args = h.command.split(' ').slice(4);
      const expected = await cli(csv, args);
      expect(h.models.map((m) => m.model)).toEqual(expected.models.map((m) => m.model));
      for (const [i, m] of h.models.entries()) {
        const s = expected.models[i].summary;
        expect([m.maseMean, m.smape, m.coverage, m.msis, m.fails]).toEqual([
          s.maseMean,
          s.smape,
          s.coverage,
          s.msisGeoMean,
          s.fails,
        ]);
        expect(m.scored).toBe(12);
        // each forecast starts at an origin inside the last fifth of the input
        expect(m.forecasts[0].start).toBeGreaterThanOrEqual(body.input.start + Math.floor(0.8 * 864) * 300);
        expect(m.forecasts[0].point).toHaveLength(h.steps);
      }
    }
    const again = (await app.inject(`/api/v1/series/${id}/backtest`)).json<BacktestResponse>();
    expect(again.cached).toBe(true);
  }, 120_000);

  it('refuses what it cannot do with the reason, and an unknown series with 404', async () => {
    const reason = async (query: string) => {
      const res = await app.inject(`/api/v1/series/${id}/backtest?${query}`);
      expect(res.statusCode).toBe(400);
      return res.json<{ message: string }>().message;
    };
    expect(await reason('models=lstm')).toMatch(/lstm not among/);
    expect(await reason('models=auto,ets,sarima,mstl,ensemble,prophet')).toMatch(/models: 1\.\.5/);
    expect(await reason('origins=100')).toMatch(/origins: 1\.\.24/);
    expect(await reason('from=10&to=5')).toMatch(/before to/);
    expect(await reason('from=0&to=864000')).toMatch(/at most 7 days/);
    expect((await app.inject('/api/v1/series/nope%7B%7D/backtest')).statusCode).toBe(404);
  });

  it('gives the CSV of an earlier answer by its first point, and 410 once the history no longer holds it', async () => {
    const body = (await app.inject(`/api/v1/series/${id}/backtest?models=seasonal_naive`)).json<BacktestResponse>();
    const csv = (await app.inject(`/api/v1/series/${id}/backtest/input.csv?start=${body.input.start}`)).body;
    const rows = csv.trim().split('\n');
    expect(rows).toHaveLength(1 + body.input.length);
    expect(rows[1].split(',')[0]).toBe(String(body.input.start));
    const gone = await app.inject(`/api/v1/series/${id}/backtest/input.csv?start=${body.input.start - 300}`);
    expect(gone.statusCode).toBe(410);
    expect(gone.json()).toMatchObject({ error: 'CLOUDPULSE_INPUT_GONE' });
    expect((await app.inject(`/api/v1/series/${id}/backtest/input.csv?start=x`)).statusCode).toBe(400);
  });
});

describe('when the view is busy', () => {
  it('answers 429 with Retry-After beyond the queue, and 503 when a job cannot finish', async () => {
    const busy = await testApp(parseConfig(CONFIG, 't.yml'), { viewJobs: new ViewJobs({ maxQueued: 0 }) });
    try {
      await busy.pipeline.runCycle();
      await busy.pipeline.whenIdle();
      const [a, b] = await Promise.all([
        busy.app.inject(`/api/v1/series/${id}/backtest?models=seasonal_naive`),
        busy.app.inject(`/api/v1/series/${id}/backtest?models=ets`),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 429]);
      const refused = a.statusCode === 429 ? a : b;
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.json()).toMatchObject({ error: 'CLOUDPULSE_VIEW_BUSY' });
      // /metrics answers whatever the view is doing
      expect((await busy.app.inject('/metrics')).statusCode).toBe(200);
    } finally {
      await busy.app.close();
    }
    const slow = await testApp(parseConfig(CONFIG, 't.yml'), { viewJobs: new ViewJobs({ timeoutMs: 1 }) });
    try {
      await slow.pipeline.runCycle();
      await slow.pipeline.whenIdle();
      const res = await slow.app.inject(`/api/v1/series/${id}/backtest?models=seasonal_naive`);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: 'CLOUDPULSE_VIEW_JOB_FAILED' });
    } finally {
      await slow.app.close();
    }
  }, 60_000);
});
