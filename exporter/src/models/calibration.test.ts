import { describe, expect, it } from 'vitest';
import { seededGaussian } from '../../test/fixtures/synthetic-series.js';
import {
  conformalTable,
  effectiveSampleSize,
  halfWidthAt,
  halfWidthRow,
  isotonicIncreasing,
  tableSteps,
} from './calibration.js';
import { normalQuantile } from '../util/stats.js';

describe('conformal calibration', () => {
  it('recovers normal quantiles of errors growing with the horizon, non-decreasing', () => {
    const g = seededGaussian(9);
    const errors = Array.from({ length: 12 }, (_, h) => Array.from({ length: 400 }, () => Math.sqrt(h + 1) * g()));
    const table = conformalTable(errors)!;
    for (const h of [1, 6, 12]) {
      const w95 = halfWidthAt(table, halfWidthRow(table, h), 0.95);
      expect(w95 / (normalQuantile(0.975) * Math.sqrt(h))).toBeGreaterThan(0.85);
      expect(w95 / (normalQuantile(0.975) * Math.sqrt(h))).toBeLessThan(1.15);
    }
    for (let h = 1; h < 12; h++)
      expect(halfWidthRow(table, h + 1)[6]).toBeGreaterThanOrEqual(halfWidthRow(table, h)[6]);
    const row = halfWidthRow(table, 4);
    expect(halfWidthAt(table, row, 0.8)).toBeLessThan(halfWidthAt(table, row, 0.9));
  });

  it('keeps rows on a step grid about 25% apart and interpolates between them', () => {
    expect(tableSteps(12)).toEqual([1, 2, 3, 4, 5, 6, 8, 10, 12]);
    expect(tableSteps(240)).toHaveLength(23);
    const table = { levels: [0.8], steps: [1, 4], halfWidth: [[1], [4]] };
    expect(halfWidthRow(table, 2)).toEqual([2]);
    expect(halfWidthRow(table, 4)).toEqual([4]);
  });

  it('counts correlated errors as fewer independent ones and widens the quantile for them', () => {
    const g = seededGaussian(4);
    const iid = Array.from({ length: 400 }, () => g());
    expect(effectiveSampleSize(iid)).toBeGreaterThan(300);
    // overlapping 8-step sums, as the errors of 8-step forecasts from successive origins are
    const noise = Array.from({ length: 408 }, () => g());
    const overlapping = iid.map((_, i) => noise.slice(i, i + 8).reduce((a, b) => a + b, 0));
    expect(effectiveSampleSize(overlapping)).toBeLessThan(40);
    const errors = [overlapping.slice(0, 60)];
    const plain = conformalTable(errors, { overlapCorrection: false })!;
    const corrected = conformalTable(errors)!;
    expect(halfWidthAt(corrected, corrected.halfWidth[0], 0.8)).toBeGreaterThan(
      halfWidthAt(plain, plain.halfWidth[0], 0.8),
    );
  });

  it('refuses to calibrate on too few errors', () => {
    expect(conformalTable([[1, 2], [3]])).toBeUndefined();
  });

  it('isotonic regression pools violators', () => {
    expect(isotonicIncreasing([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
  });
});
