import { describe, expect, it } from 'vitest';
import { ModelError } from '../types.js';
import { createSeasonalProfile, seasonalProfile } from './seasonal-profile.js';
import { theta } from './theta.js';

const STEP = 3600;
const DAY = 24;
const LEVELS = [0.8, 0.95];

/** `days` days of an hourly daily shape, with a burst on the last day */
function days(count: number, burst = true): number[] {
  const values = Array.from({ length: count * DAY }, (_, i) => 10 + 5 * Math.sin((2 * Math.PI * i) / DAY));
  if (burst) for (let i = (count - 1) * DAY; i < (count - 1) * DAY + 3; i++) values[i] += 20;
  return values;
}

describe('seasonal_profile', () => {
  it("forecasts each phase's median over the last seasons, not yesterday's burst", async () => {
    const values = days(7);
    const fitted = await seasonalProfile.fit({ values, step: STEP, start: 0 });
    expect(fitted.description).toBe('median of last 6 seasons m=24');
    const { point, intervals } = fitted.forecast(DAY, LEVELS);
    for (let h = 0; h < DAY; h++) {
      expect(point[h]).toBeCloseTo(10 + 5 * Math.sin((2 * Math.PI * h) / DAY), 9);
      expect(intervals[1].upper[h] - intervals[1].lower[h]).toBeGreaterThan(0);
    }
  });

  it("shifts the profile by the last hour's departure when level-adjusted", async () => {
    const values = days(7, false).map((v, i) => (i >= 6 * DAY ? v + 3 : v));
    const plain = await createSeasonalProfile({ stat: 'mean' }).fit({ values, step: STEP, start: 0 });
    const adjusted = await createSeasonalProfile({ stat: 'mean', levelAdjust: true }).fit({
      values,
      step: STEP,
      start: 0,
    });
    // the mean of 6 days, one of them 3 higher; then the last hour's departure from the days before it
    const [p] = plain.forecast(1, []).point;
    expect(p).toBeCloseTo(10 + 0.5, 9);
    expect(adjusted.forecast(1, []).point[0] - p).toBeCloseTo(3, 9);
  });

  it('updates, restores from JSON and refuses a series without a season', async () => {
    const values = days(7);
    const fitted = await seasonalProfile.fit({ values: values.slice(0, 6 * DAY), step: STEP, start: 0 });
    fitted.update([...values.slice(6 * DAY, 6 * DAY + 5), NaN]);
    const restored = seasonalProfile.restore(JSON.parse(JSON.stringify(fitted.toJSON())));
    expect(restored.forecast(30, LEVELS)).toEqual(fitted.forecast(30, LEVELS));
    await expect(seasonalProfile.fit({ values: new Array(200).fill(1), step: STEP, start: 0 })).rejects.toThrow(
      ModelError,
    );
  });
});

describe('theta', () => {
  it('follows a line with half its slope on top of smoothing, and restores', async () => {
    const values = Array.from({ length: 200 }, (_, i) => 5 + 0.1 * i);
    const fitted = await theta.fit({ values, step: 300, start: 0 });
    const { point } = fitted.forecast(10, LEVELS);
    for (let h = 1; h < 10; h++) expect(point[h] - point[h - 1]).toBeCloseTo(0.05, 9);
    expect(theta.restore(JSON.parse(JSON.stringify(fitted.toJSON()))).forecast(10, LEVELS)).toEqual(
      fitted.forecast(10, LEVELS),
    );
  });
});
