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
