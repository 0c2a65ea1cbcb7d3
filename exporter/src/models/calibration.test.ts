import { describe, expect, it } from 'vitest';
import { seededGaussian } from '../../test/fixtures/synthetic-series.js';
import { conformalTable, halfWidthAt, isotonicIncreasing } from './calibration.js';
import { normalQuantile } from '../util/stats.js';

describe('conformal calibration', () => {
  it('recovers normal quantiles of errors growing with the horizon, non-decreasing', () => {
    const g = seededGaussian(9);
    const errors = Array.from({ length: 12 }, (_, h) => Array.from({ length: 400 }, () => Math.sqrt(h + 1) * g()));
    const table = conformalTable(errors)!;
    for (const h of [1, 6, 12]) {
      const w95 = halfWidthAt(table, table.halfWidth[h - 1], 0.95);
      expect(w95 / (normalQuantile(0.975) * Math.sqrt(h))).toBeGreaterThan(0.85);
      expect(w95 / (normalQuantile(0.975) * Math.sqrt(h))).toBeLessThan(1.15);
    }
    for (let h = 1; h < 12; h++) expect(table.halfWidth[h][6]).toBeGreaterThanOrEqual(table.halfWidth[h - 1][6]);
    const row = table.halfWidth[3];
    expect(halfWidthAt(table, row, 0.8)).toBeLessThan(halfWidthAt(table, row, 0.9));
  });

  it('refuses to calibrate on too few errors', () => {
    expect(conformalTable([[1, 2], [3]])).toBeUndefined();
  });

  it('isotonic regression pools violators', () => {
    expect(isotonicIncreasing([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
  });
});
