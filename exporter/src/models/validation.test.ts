import { describe, expect, it } from 'vitest';
import { validateOnTail } from './validation.js';
import { seasonalNaive } from './seasonal-naive.js';

describe('tail validation', () => {
  it('validates on the tail with one fit and rolling updates', async () => {
    const y = Array.from({ length: 300 }, (_, i) => i);
    const [v] = await validateOnTail(
      y,
      [{ name: 'naive', factory: seasonalNaive, fitOptions: { seasonLengths: [1] } }],
      {
        horizon: 4,
        window: 40,
        stride: 2,
        step: 300,
        start: 0,
      },
    );
    // the last value misses a unit slope by exactly h at step h
    expect(v.errors[0]).toEqual(new Array<number>(20).fill(1));
    // one row per origin; the last origin's 4-step target lies past the end
    expect(v.errors[3].slice(0, 19)).toEqual(new Array<number>(19).fill(4));
    expect(v.errors[3][19]).toBeNaN();
  });
});

describe('seasonal naive on a history shorter than its season', () => {
  it('keeps the season: the last value until a season back is known, then the value a season back', async () => {
    const day = Array.from({ length: 12 }, (_, i) => i);
    // eight points of a 12-step season: one season back is unknown for the next four steps
    const fitted = await seasonalNaive.fit({ values: day.slice(0, 8), step: 300, start: 0 }, { seasonLengths: [12] });
    expect(fitted.forecast(6, []).point).toEqual([7, 7, 7, 7, 0, 1]);
    fitted.update(day.slice(8));
    expect(fitted.forecast(3, []).point).toEqual([0, 1, 2]);
  });
});
