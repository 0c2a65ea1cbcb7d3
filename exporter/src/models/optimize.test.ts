import { describe, expect, it } from 'vitest';
import { nelderMead } from './optimize.js';

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
});
