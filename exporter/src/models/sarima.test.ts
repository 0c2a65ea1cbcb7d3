import { describe, expect, it } from 'vitest';
import { seededGaussian } from '../../test/fixtures/synthetic-series.js';
import { fitSarima, sarimaForecast } from './sarima.js';

describe('sarima', () => {
  it('recovers an AR(1) and its forecast variance', () => {
    const e = seededGaussian(11);
    const y = [0];
    for (let i = 1; i < 900; i++) y.push(0.7 * y[i - 1] + e());
    const s = fitSarima(y, 300, [1]);
    expect(s.d).toBe(0);
    expect(s.ar[0]).toBeGreaterThan(0.55);
    expect(s.ar[0]).toBeLessThan(0.85);
    const { sd } = sarimaForecast(s, 60);
    // stationary: the h-step sd converges to sigma / sqrt(1 - phi^2)
    expect(sd[59] / sd[0]).toBeGreaterThan(1.2);
    expect(sd[59] / sd[0]).toBeLessThan(1.7);
  });

  it('treats a random walk as integrated, with sd growing like sqrt(h)', () => {
    const e = seededGaussian(5);
    const y = [100];
    for (let i = 1; i < 900; i++) y.push(y[i - 1] + e());
    const s = fitSarima(y, 300, [1]);
    expect(s.d).toBe(1);
    const { point, sd } = sarimaForecast(s, 16);
    expect(Math.abs(point[0] - y[899])).toBeLessThan(1);
    expect(sd[15] / sd[0]).toBeGreaterThan(3);
  });

  it('carries a daily season through Fourier terms', () => {
    const e = seededGaussian(2);
    const y = Array.from({ length: 2016 }, (_, i) => 50 + 10 * Math.cos((2 * Math.PI * i) / 288) + 0.5 * e());
    const s = fitSarima(y, 300);
    expect(s.period).toBe(288);
    const { point } = sarimaForecast(s, 144);
    // half a day ahead the season has swung from peak to trough
    expect(point[0] - point[143]).toBeGreaterThan(15);
  });
});
