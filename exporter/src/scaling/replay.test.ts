import { describe, expect, it } from 'vitest';
import type { FittedModel, ModelFactory, SeriesInput } from '../models/types.js';
import { ets } from '../models/ets.js';
import { DEFAULT_PROTOCOL, matchCost, runWithHeadroom, traceWorkload } from './experiment.js';
import { planTrack, replayForecasts } from './forecast-replay.js';
import { DEFAULT_HPA } from './hpa.js';

/** A model that forecasts the mean of what it was fitted on plus what it absorbed since, and logs its fits. */
function recordingModel(fits: { from: number; length: number }[]): ModelFactory {
  return {
    name: 'recording',
    summary: 'test double that records fits',
    async fit(series: SeriesInput): Promise<FittedModel> {
      fits.push({ from: series.start, length: series.values.length });
      const seen = Array.from(series.values).filter(Number.isFinite);
      const model: FittedModel = {
        name: 'recording',
        description: 'recording',
        forecast: (h, levels) => {
          const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
          const point = new Array<number>(h).fill(mean);
          return { point, intervals: levels.map((level) => ({ level, lower: point, upper: point.map((p) => p + 1) })) };
        },
        update: (values) => {
          for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) seen.push(values[i]);
        },
        toJSON: () => ({ model: 'recording', version: 1, state: null }),
      };
      return model;
    },
    restore() {
      throw new Error('not needed');
    },
  };
}

describe('forecast replay', () => {
  it('fits on a bounded window: first on two points, at each doubling, then every refit interval', async () => {
    const fits: { from: number; length: number }[] = [];
    const values = Array.from({ length: 100 }, (_, i) => i);
    await replayForecasts(
      { step: 60, start: 0, slots: values.map((_, i) => i), values },
      { model: recordingModel(fits), horizon: 2, levels: [], fitWindow: 16, refitEvery: 30 },
    );
    // at slots 1, 3, 7, 15, then 45 and 75
    expect(fits.map((f) => f.length)).toEqual([2, 4, 8, 16, 16, 16]);
    // the window slides: the fit at slot 75 sees slots 60..75
    expect(fits.at(-1)!.from).toBe(60 * 60);
  });

  it('passes gaps between rows to the model as missing points', async () => {
    const fits: { from: number; length: number }[] = [];
    // rows at slots 0, 1, 2, 5: slots 3 and 4 are missing
    const track = await replayForecasts(
      { step: 60, start: 0, slots: [0, 1, 2, 5], values: [1, 3, 5, 11] },
      { model: recordingModel(fits), horizon: 1, levels: [0.8], fitWindow: 100, refitEvery: 100 },
    );
    expect(Array.from(track.point)).toEqual([NaN, 2, 3, 5]);
    expect(track.upper[0][3]).toBe(6);
  });

  it('turns forecasts into scale metrics with the planner, remembering the previous value', async () => {
    const values = Array.from({ length: 3000 }, (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / 1440));
    const track = await replayForecasts(
      { step: 60, start: 0, slots: values.map((_, i) => i), values },
      { model: ets, horizon: 3, levels: [0.8], fitWindow: 2880, refitEvery: 60 },
    );
    const free = planTrack(track, { leadTime: 135, level: 0.8 });
    const held = planTrack(track, { leadTime: 135, level: 0.8, maxStepDown: 0.001 });
    for (let i = 1; i < values.length; i++) {
      expect(free[i]).toBeGreaterThanOrEqual(values[i]);
      expect(held[i]).toBeGreaterThanOrEqual(held[i - 1] * 0.999 - 1e-9);
    }
  });
});

describe('equal-cost comparison', () => {
  it('finds the headroom at which a policy costs the given replica-minutes', () => {
    const load = Float64Array.from({ length: 2 * 1440 }, (_, i) => 100 + 80 * Math.sin((2 * Math.PI * i) / 1440));
    const work = traceWorkload(load, 60, DEFAULT_PROTOCOL);
    const base = runWithHeadroom(work, load, DEFAULT_HPA, 0);
    const dearer = runWithHeadroom(work, load, DEFAULT_HPA, 0.3);
    const matched = matchCost(work, load, DEFAULT_HPA, dearer.replicaMinutes);
    expect(matched.matched).toBe(true);
    expect(matched.headroom).toBeGreaterThan(0.25);
    expect(matched.headroom).toBeLessThan(0.35);
    expect(matched.score.replicaMinutes).toBe(dearer.replicaMinutes);
    expect(matched.score.underProvisionedMinutes).toBeLessThanOrEqual(base.underProvisionedMinutes);
  });
});
