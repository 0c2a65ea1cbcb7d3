import { describe, expect, it } from 'vitest';
import { nelderMead, nelderMeadLockstep } from './optimize.js';

describe('nelderMead', () => {
  it('minimises a shifted quadratic and the Rosenbrock valley within its budget', () => {
    const q = nelderMead((x) => (x[0] - 3) ** 2 + 2 * (x[1] + 1) ** 2, [0, 0], {
      maxEvaluations: 400,
      tolerance: 1e-12,
    });
    expect(q.x[0]).toBeCloseTo(3, 3);
    expect(q.x[1]).toBeCloseTo(-1, 3);
    const r = nelderMead((x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2, [-1.2, 1], {
      maxEvaluations: 2000,
      tolerance: 1e-14,
    });
    expect(r.value).toBeLessThan(1e-6);
    expect(r.evaluations).toBeLessThanOrEqual(2000 + 3);
  });

  it('runs several minimisations in lockstep, each taking exactly the steps it takes alone', () => {
    const objectives = [
      (x: Float64Array) => (x[0] - 3) ** 2 + 2 * (x[1] + 1) ** 2,
      (x: Float64Array) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2 + Math.abs(x[2]),
      // a region of non-finite values, which count as +Infinity
      (x: Float64Array) => (x[0] > 2 ? NaN : (x[0] - 1) ** 2),
    ];
    const starts = [[0, 0], [-1.2, 1, 0.5], [0]];
    const options = [{ maxEvaluations: 150 }, { maxEvaluations: 400, tolerance: 1e-10, step: 1 }, { step: 3 }];
    let rounds = 0;
    const together = nelderMeadLockstep(starts, options, (points, values) => {
      rounds++;
      points.forEach((x, i) => {
        if (x) values[i] = objectives[i](x);
      });
    });
    const alone = objectives.map((f, i) => nelderMead(f, starts[i], options[i]));
    expect(together).toEqual(alone);
    // the rounds are those of the longest run, not the sum
    expect(rounds).toBe(Math.max(...alone.map((r) => r.evaluations)));
  });
});
