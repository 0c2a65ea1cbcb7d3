import { describe, expect, it } from 'vitest';
import { detectSeason, fillGaps } from './seasonality.js';

const noise = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
};

describe('fillGaps', () => {
  it('interpolates inner gaps and holds the ends', () => {
    expect(Array.from(fillGaps([NaN, 1, NaN, 3, NaN]))).toEqual([1, 1, 2, 3, 3]);
    expect(fillGaps([NaN, NaN])).toHaveLength(0);
  });
});

describe('detectSeason', () => {
  it('finds a daily season at 5-minute steps and none in noise or a trend', () => {
    const r = noise(1);
    const daily = Array.from({ length: 2016 }, (_, i) => Math.sin((2 * Math.PI * i) / 288) + 0.3 * r());
    expect(detectSeason(daily, 300).period).toBe(288);
    expect(
      detectSeason(
        Array.from({ length: 2016 }, () => r()),
        300,
      ).period,
    ).toBe(1);
    expect(
      detectSeason(
        Array.from({ length: 2016 }, (_, i) => i + r()),
        300,
      ).period,
    ).toBe(1);
  });
  it('needs two full seasons of history', () => {
    const short = Array.from({ length: 400 }, (_, i) => Math.sin((2 * Math.PI * i) / 288));
    expect(detectSeason(short, 300).period).not.toBe(288);
  });
});
