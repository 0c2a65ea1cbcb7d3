import { describe, expect, it } from 'vitest';
import { defaultHistorySeconds, fanShare, MIN_FAN_SHARE, windowAround, windowFor } from './window.js';

describe('the default window', () => {
  it('keeps the fan at the minimum share for any horizon: 22h40m of history before a 4-hour fan', () => {
    expect(defaultHistorySeconds(14400)).toBeCloseTo(22 * 3600 + 40 * 60, 6);
    for (const horizon of [300, 1800, 3600, 14400, 86400]) {
      const w = windowFor(defaultHistorySeconds(horizon), {
        firstSample: 0,
        lastSample: 1e6,
        forecastEnd: 1e6 + horizon,
      });
      expect(fanShare(w!, 1e6, 1e6 + horizon)).toBeCloseTo(MIN_FAN_SHARE, 9);
    }
  });

  it('shows a day when there is no forecast, and never starts before the first sample', () => {
    expect(defaultHistorySeconds(NaN)).toBe(86400);
    const young = windowFor(86400, { firstSample: 950_000, lastSample: 1e6, forecastEnd: 1e6 + 14400 });
    expect(young).toEqual({ from: 950_000, to: 1e6 + 14400 });
    expect(fanShare(young!, 1e6, 1e6 + 14400)).toBeGreaterThan(MIN_FAN_SHARE);
  });

  it('ends at the last sample without a forecast, and has no window without samples', () => {
    expect(windowFor(3600, { firstSample: 0, lastSample: 10_000, forecastEnd: NaN })).toEqual({
      from: 6400,
      to: 10_000,
    });
    expect(windowFor(3600, { firstSample: NaN, lastSample: NaN, forecastEnd: NaN })).toBeUndefined();
  });
});

describe('fanShare and windowAround', () => {
  it('counts only the visible part of the fan', () => {
    expect(fanShare({ from: 0, to: 100 }, 80, 120)).toBeCloseTo(0.2);
    expect(fanShare({ from: 0, to: 100 }, 200, 300)).toBe(0);
    expect(fanShare({ from: 0, to: 0 }, 0, 10)).toBe(0);
  });

  it('centres a window on a time, shifted inside bounds when it would leave them', () => {
    expect(windowAround(500, 100)).toEqual({ from: 450, to: 550 });
    expect(windowAround(10, 100, { from: 0, to: 1000 })).toEqual({ from: 0, to: 100 });
    expect(windowAround(990, 100, { from: 0, to: 1000 })).toEqual({ from: 900, to: 1000 });
  });
});
