import { describe, expect, it } from 'vitest';
import { seededGaussian } from '../../test/fixtures/synthetic-series.js';
import { auto } from './auto.js';
import { ensemble } from './ensemble.js';

describe('auto and ensemble', () => {
  it('choose a seasonal model on a clean daily season, and a last-value-like one on a random walk', async () => {
    const g = seededGaussian(4);
    const seasonal = Array.from({ length: 1728 }, (_, i) => 10 * Math.sin((2 * Math.PI * i) / 288) + 0.2 * g());
    const a = await auto.fit({ values: seasonal, step: 300, start: 0 });
    expect(a.description).toMatch(/ets|sarima|seasonal_naive/);
    const walk = [0];
    for (let i = 1; i < 1728; i++) walk.push(walk[i - 1] + g());
    const b = await auto.fit({ values: walk, step: 300, start: 0 });
    expect(b.description).toMatch(/naive|median|ARIMA\(0,1,0\)|ETS\(A,N,N\)|sarima/);
    const e = await ensemble.fit({ values: seasonal, step: 300, start: 0 });
    expect(e.forecast(48, [0.95]).point.every(Number.isFinite)).toBe(true);
  });

  it('calibrated 80% bands cover about 80% of a stationary noise series', async () => {
    const g = seededGaussian(8);
    const y = Array.from({ length: 2016 + 48 * 20 }, () => 5 + g());
    let inside = 0;
    let total = 0;
    for (let k = 0; k < 20; k++) {
      const o = 2016 + 48 * k;
      const fitted = await auto.fit({ values: y.slice(o - 2016, o), step: 300, start: 0 });
      const [iv] = fitted.forecast(48, [0.8]).intervals;
      for (let h = 0; h < 48; h++, total++) if (y[o + h] >= iv.lower[h] && y[o + h] <= iv.upper[h]) inside++;
    }
    expect(inside / total).toBeGreaterThan(0.72);
    expect(inside / total).toBeLessThan(0.88);
  });

  it('falls back to the last value on a short history', async () => {
    const fitted = await auto.fit({ values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], step: 300, start: 0 });
    expect(fitted.description).toMatch(/last value/);
    expect(fitted.forecast(3, [0.8]).point).toEqual([10, 10, 10]);
  });
});
