import { describe, expect, it } from 'vitest';
import { backtestSeries, originsFor, summarise } from './rolling-origin.js';
import { maseScale, geometricMean, smape } from './metrics.js';
import { seasonalNaive } from '../models/seasonal-naive.js';

describe('metrics', () => {
  it('scales MASE by the seasonal-naive MAE, falling back to lag 1', () => {
    const y = Array.from({ length: 20 }, (_, i) => i % 4);
    // a perfectly periodic history has seasonal scale 0, so the lag-1 scale is used
    expect(maseScale(y, 4)).toEqual({ scale: 27 / 19, lag: 1 });
    expect(maseScale([1, 2, 4], 4)).toEqual({ scale: 1.5, lag: 1 });
    expect(maseScale([5, 5, 5], 1).scale).toBeNaN();
    expect(smape([0, 1], [0, 1], 2)).toBe(0);
    expect(geometricMean([1, 4])).toBeCloseTo(2, 9);
  });
});

describe('rolling origin', () => {
  it('places origins as forecast_bench.py does', () => {
    // values computed with the bench's own origins_for (numpy linspace + round)
    expect(originsFor(4032, 48, 5)).toEqual([3225, 3415, 3604, 3794, 3984]);
    expect(originsFor(1243, 48, 5)).toEqual([994, 1044, 1094, 1145, 1195]);
  });

  it('scores a perfect seasonal forecast as 0 with full coverage', async () => {
    const y = Array.from({ length: 1000 }, (_, i) => [1, 5, 2, 8][i % 4]);
    const scores = await backtestSeries(y, seasonalNaive, {
      origins: 3,
      horizons: [4, 8],
      maxHistory: 500,
      season: 4,
      levels: [0.8],
      step: 300,
      start: 0,
      now: () => 0,
      fitOptions: { seasonLengths: [4] },
    });
    expect(scores).toHaveLength(6);
    // a perfect seasonal history has a lag-1 scale, so MASE is exactly 0
    const [s] = summarise([scores], [4, 8], 1);
    expect(s.maseMean).toBe(0);
    expect(s.coverage[0]).toBe(1);
  });
});
