import { describe, expect, it } from 'vitest';
import { AccuracyTracker } from './accuracy.js';

describe('live accuracy', () => {
  it('scores each horizon against the actual at its target time, with coverage per level', () => {
    const a = new AccuracyTracker([300, 3600], [0.8, 0.95], 300, 10);
    const t0 = 1_800_000_000;
    // a forecast of 10 everywhere with bands [9, 11] (80%) and [8, 12] (95%), made at every step
    const point = new Array(12).fill(10);
    const lower = [new Array(12).fill(9), new Array(12).fill(8)];
    const upper = [new Array(12).fill(11), new Array(12).fill(12)];
    for (let i = 0; i < 40; i++) {
      const t = t0 + i * 300;
      // actual alternates 10 (inside both) and 11.5 (outside 80%, inside 95%)
      a.observe(t, i % 2 === 0 ? 10 : 11.5);
      a.record(t, point, lower, upper);
    }
    const [five, hour] = a.summary();
    expect(five.evaluated).toBe(10); // window
    expect(five.coverage['0.8']).toBeCloseTo(0.5);
    expect(five.coverage['0.95']).toBe(1);
    expect(hour.evaluated).toBe(10);
    // MASE: mean |error| 0.75 over the naive scale 1.5
    expect(five.mase).toBeCloseTo(0.5);
  });

  it('forgets band hits as the window turns over (hits are held a bit each)', () => {
    const a = new AccuracyTracker([300, 900, 3600], [0.8, 0.95], 300, 13);
    const t0 = 1_800_000_000;
    const point = new Array(12).fill(10);
    const lower = [new Array(12).fill(9), new Array(12).fill(8)];
    const upper = [new Array(12).fill(11), new Array(12).fill(12)];
    const coverage = () => a.summary().map((h) => [h.coverage['0.8'], h.coverage['0.95']]);
    // 30 steps inside both bands, then 13 inside the 95% band only, then 13 outside both
    const actual = (i: number) => (i < 30 ? 10 : i < 43 ? 11.5 : 20);
    for (let i = 0; i < 30 + 26 + 12; i++) {
      const t = t0 + i * 300;
      a.observe(t, actual(i));
      a.record(t, point, lower, upper);
      if (i === 29)
        expect(coverage()).toEqual([
          [1, 1],
          [1, 1],
          [1, 1],
        ]);
      if (i === 42) expect(coverage()[0]).toEqual([0, 1]);
      if (i === 55) expect(coverage()[0]).toEqual([0, 0]);
    }
    expect(coverage()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('does not score a target whose slot was reused after a gap', () => {
    const a = new AccuracyTracker([900], [0.9], 300);
    const t0 = 1_800_000_000;
    a.record(t0, [1, 1, 1], [[0, 0, 0]], [[2, 2, 2]]);
    // the target t0 + 900 passes unobserved; much later a point lands on the same slot index
    a.observe(t0 + 900 + 5 * 300, 1);
    expect(a.summary()[0].evaluated).toBe(0);
    a.observe(t0 + 900, 1);
    expect(a.summary()[0].evaluated).toBe(1);
  });
});
