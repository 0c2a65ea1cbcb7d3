import { describe, expect, it } from 'vitest';
import { seededGaussian } from '../../test/fixtures/synthetic-series.js';
import { calibrateOnTail } from './tail-calibration.js';
import { seasonalNaive } from './seasonal-naive.js';
import { auto } from './auto.js';
import type { ModelFactory } from './types.js';

const naive: ModelFactory = { ...seasonalNaive, fit: (s) => seasonalNaive.fit(s, { seasonLengths: [1] }) };

/** Coverage of the served 80% / 95% bands over 4-hour forecasts from 20 origins of stationary noise. */
async function coverage(factory: ModelFactory): Promise<number[]> {
  const g = seededGaussian(21);
  const y = Array.from({ length: 2016 + 48 * 20 }, () => 5 + g());
  const inside = [0, 0];
  let total = 0;
  for (let k = 0; k < 20; k++) {
    const o = 2016 + 48 * k;
    const fitted = await calibrateOnTail(factory, { values: y.slice(o - 2016, o), step: 300, start: 0 });
    const { intervals } = fitted.forecast(48, [0.8, 0.95]);
    for (let h = 0; h < 48; h++, total++) {
      intervals.forEach((iv, i) => {
        if (y[o + h] >= iv.lower[h] && y[o + h] <= iv.upper[h]) inside[i]++;
      });
    }
  }
  return inside.map((c) => c / total);
}

describe('calibration on the tail of the history', () => {
  it('narrows random-walk bands that are far too wide for noise to about their level', async () => {
    const [own80, own95] = await coverage({ ...naive, selfCalibrated: true });
    expect(own80).toBeGreaterThan(0.95);
    expect(own95).toBeGreaterThan(0.99);
    const [c80, c95] = await coverage(naive);
    expect(c80).toBeGreaterThan(0.74);
    expect(c80).toBeLessThan(0.88);
    expect(c95).toBeGreaterThan(0.91);
    expect(c95).toBeLessThan(0.99);
  });

  it('serves the model refitted on the whole history, and leaves self-calibrated models alone', async () => {
    const y = Array.from({ length: 600 }, (_, i) => i % 7);
    const fitted = await calibrateOnTail(naive, { values: y, step: 300, start: 0 });
    expect(fitted.forecast(2, []).point).toEqual([y[599], y[599]]);
    expect(fitted.description).toMatch(/conformal bands/);
    const own = await calibrateOnTail(auto, { values: y, step: 300, start: 0 });
    expect(own.description).toMatch(/^auto: /);
  });

  it('keeps the model bands when the history is too short to validate on, never narrower than the floor', async () => {
    const fitted = await calibrateOnTail(naive, { values: [1, 2, 3, 4, 5, 6], step: 300, start: 0 });
    expect(fitted.description).toMatch(/own bands/);
    const { point, intervals } = fitted.forecast(3, [0.8]);
    expect(intervals[0].upper[0] - point[0]).toBeCloseTo(1.2816, 3);
    // a history whose last stretch is flat: the random-walk band of the last value has width,
    // and so has the conformal band over a validation day of zero errors (half the quantum, 0.5)
    const flat = [...Array.from({ length: 100 }, (_, i) => i % 3), ...new Array<number>(900).fill(2)];
    const calm = await calibrateOnTail(naive, { values: flat, step: 300, start: 0 });
    const band = calm.forecast(48, [0.95]).intervals[0];
    expect(band.upper[0] - band.lower[0]).toBeCloseTo(1, 9);
  });
});
