import { describe, expect, it } from 'vitest';
import { buildFan, fanFromForecast } from './fan.js';
import type { LatestForecast } from './types.js';

describe('buildFan', () => {
  const latest: LatestForecast[] = [
    { horizon: 3600, point: 14, bands: { '0.95': [8, 20] } },
    { horizon: 300, point: 11, bands: { '0.95': [10, 12], '0.8': [10.5, 11.5] } },
  ];

  it('starts at the last sample with zero width and widens through each horizon in order', () => {
    const fan = buildFan(latest, { t: 1000, v: 10 }, '0.95');
    expect(fan.t).toEqual([1000, 1300, 4600]);
    expect(fan.point).toEqual([10, 11, 14]);
    expect(fan.lower).toEqual([10, 10, 8]);
    expect(fan.upper).toEqual([10, 12, 20]);
  });

  it('keeps the point of a horizon that lacks the level', () => {
    const fan = buildFan(latest, { t: 1000, v: 10 }, '0.8');
    expect(fan.point).toEqual([10, 11, 14]);
    expect(fan.lower).toEqual([10, 10.5, NaN]);
  });

  it('starts at the first horizon when the last value is unknown, and is empty without a time', () => {
    expect(buildFan(latest, { t: 1000, v: NaN }, '0.95').t).toEqual([1300, 4600]);
    expect(buildFan(latest, { t: NaN, v: 1 }, '0.95').t).toEqual([]);
    expect(buildFan([], { t: 1000, v: 1 }, '0.95').t).toEqual([]);
  });
});

describe('fanFromForecast', () => {
  it('lays a stepped forecast on its times, joined to the last sample', () => {
    const fan = fanFromForecast(
      { start: 160, step: 60, point: [5, 6], intervals: [{ level: 0.8, lower: [4, 4.5], upper: [6, 7.5] }] },
      { t: 100, v: 4.8 },
      '0.8',
    );
    expect(fan).toEqual({ t: [100, 160, 220], point: [4.8, 5, 6], lower: [4.8, 4, 4.5], upper: [4.8, 6, 7.5] });
  });

  it('treats JSON nulls and a missing level as NaN', () => {
    const fan = fanFromForecast(
      { start: 0, step: 60, point: [null as unknown as number, 2], intervals: [] },
      { t: NaN, v: NaN },
      '0.95',
    );
    expect(fan).toEqual({ t: [0, 60], point: [NaN, 2], lower: [NaN, NaN], upper: [NaN, NaN] });
  });
});
