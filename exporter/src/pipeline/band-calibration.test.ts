import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { MODELS } from '../models/index.js';
import type { FittedModel, ModelFactory } from '../models/types.js';
import type { Source } from '../sources/types.js';
import { testPipeline } from '../../test/fixtures/test-pipeline.js';

/** a model that always forecasts 0 with bands 10x too narrow for the unit-variance noise it faces */
const overconfident: ModelFactory = {
  name: 'overconfident',
  summary: 'test only',
  async fit() {
    const model: FittedModel = {
      name: 'overconfident',
      description: 'too narrow',
      forecast: (h, levels) => {
        const point = new Array(h).fill(0);
        const half = (level: number) => (level === 0.8 ? 0.128 : 0.196); // a tenth of N(0,1)'s
        return {
          point,
          intervals: levels.map((level) => ({
            level,
            lower: point.map(() => -half(level)),
            upper: point.map(() => half(level)),
          })),
        };
      },
      update() {},
      toJSON: () => ({ model: 'overconfident', version: 1, state: {} }),
    };
    return model;
  },
  restore() {
    throw new Error('not stored');
  },
};

afterEach(() => delete (MODELS as Record<string, ModelFactory>).overconfident);

/** standard normal noise from a seeded generator, at every grid time */
function noise(t: number): number {
  let x = Math.sin(t * 12.9898) * 43758.5453;
  const u1 = x - Math.floor(x) || 1e-9;
  x = Math.sin(t * 78.233) * 12345.6789;
  const u2 = x - Math.floor(x);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

const source: Source = {
  kind: 'prometheus',
  simulated: false,
  async queryRange(q) {
    const timestamps: number[] = [];
    for (let t = q.start; t <= q.end; t += q.step) timestamps.push(t);
    return [{ labels: { instance: 'a' }, timestamps, values: timestamps.map(noise) }];
  },
};

describe('online band calibration in the live pipeline', () => {
  it('widens the bands of an overconfident model until they cover about their level', async () => {
    (MODELS as Record<string, ModelFactory>).overconfident = overconfident;
    const config = parseConfig(
      `series: [{name: x, query: q, model: overconfident, detector: residual, step: 5m, lookback: 1d, horizons: [5m, 1h], refit_interval: 1d}]`,
      't.yml',
    );
    const { pipeline, cycle, advance } = testPipeline(config, { source });
    await cycle();
    const widthAt = () => {
      const r = [...pipeline.store.records()][0];
      return r.forecast!.intervals[1].upper[0] - r.forecast!.intervals[1].lower[0];
    };
    const raw = 2 * 0.196;
    expect(widthAt()).toBeCloseTo(raw, 6);
    // four days at 5 minutes, one point a cycle
    for (let i = 0; i < 4 * 288; i++) {
      advance(300);
      await cycle();
    }
    // served 95% bands close to N(0,1)'s +-1.96 (ten times the model's own), and the live
    // coverage of the last day near the stated levels
    expect(widthAt() / raw).toBeGreaterThan(6);
    expect(widthAt() / raw).toBeLessThan(14);
    const five = [...pipeline.store.records()][0].accuracy.find((a) => a.horizon === 300)!;
    expect(five.coverage['0.95']).toBeGreaterThan(0.88);
    expect(five.coverage['0.8']).toBeGreaterThan(0.7);
    expect(five.coverage['0.8']).toBeLessThan(0.9);
  });
});
