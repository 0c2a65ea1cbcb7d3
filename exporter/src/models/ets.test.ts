import { describe, expect, it } from 'vitest';
import { etsForecast, fitEts } from './ets.js';

const noise = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
};

describe('ets', () => {
  it('learns a daily season and forecasts its shape', () => {
    const r = noise(7);
    const y = Array.from({ length: 2016 }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 288) + r());
    const s = fitEts(y, 300);
    expect(s.period).toBe(288);
    const { point } = etsForecast(s, 288);
    const truth = Array.from({ length: 288 }, (_, h) => 100 + 10 * Math.sin((2 * Math.PI * (2016 + h)) / 288));
    const mae = point.reduce((a, p, h) => a + Math.abs(p - truth[h]), 0) / 288;
    expect(mae).toBeLessThan(0.6);
  });

  it('picks a trend variant on a trending series and extrapolates it', () => {
    const r = noise(3);
    const y = Array.from({ length: 600 }, (_, i) => 0.5 * i + r());
    const s = fitEts(y, 300);
    expect(s.trend).not.toBe('N');
    expect(etsForecast(s, 10).point[9]).toBeGreaterThan(299 + 3);
  });

  it('skips gaps and widens bands with the horizon', () => {
    const r = noise(5);
    const y = Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? NaN : 20 + r()));
    const s = fitEts(y, 300);
    const { point, sd } = etsForecast(s, 48);
    expect(point.every(Number.isFinite)).toBe(true);
    expect(sd[47]).toBeGreaterThanOrEqual(sd[0]);
    expect(Math.abs(point[0] - 20)).toBeLessThan(0.5);
  });
});
