import { describe, expect, it } from 'vitest';
import {
  conformalTable,
  effectiveSampleSize,
  isotonicIncreasing,
  roundUp,
  tableRow,
  tableSteps,
  widthAt,
} from './calibration.js';
import { normalQuantile } from '../util/stats.js';

/**
 * Standard normal draws from mulberry32 and Box-Muller (the sided quantiles need a generator
 * whose mean is 0 to the precision of 400 draws).
 */
function seededGaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('conformal calibration', () => {
  it('recovers normal quantiles of errors growing with the horizon, non-decreasing', () => {
    const g = seededGaussian(9);
    const errors = Array.from({ length: 12 }, (_, h) => Array.from({ length: 400 }, () => Math.sqrt(h + 1) * g()));
    for (const sided of [true, false]) {
      const table = conformalTable(errors, { sided })!;
      for (const h of [1, 6, 12]) {
        for (const side of ['below', 'above'] as const) {
          const w95 = widthAt(table, tableRow(table, h)[side], 0.95);
          expect(w95 / (normalQuantile(0.975) * Math.sqrt(h))).toBeGreaterThan(0.85);
          expect(w95 / (normalQuantile(0.975) * Math.sqrt(h))).toBeLessThan(1.15);
        }
      }
      for (let h = 1; h < 12; h++)
        expect(tableRow(table, h + 1).above[6]).toBeGreaterThanOrEqual(tableRow(table, h).above[6]);
      const row = tableRow(table, 4);
      expect(widthAt(table, row.below, 0.8)).toBeLessThan(widthAt(table, row.below, 0.9));
    }
  });

  it('puts the width where the errors are: above the point for a series that bursts upwards', () => {
    const g = seededGaussian(5);
    // mostly small errors, one in ten a large positive burst
    const errors = Array.from({ length: 4 }, () =>
      Array.from({ length: 400 }, (_, k) => (k % 10 === 0 ? 20 + g() : 0.3 * g())),
    );
    const table = conformalTable(errors, { sided: true })!;
    const row = tableRow(table, 2);
    expect(widthAt(table, row.above, 0.95)).toBeGreaterThan(15);
    expect(widthAt(table, row.below, 0.95)).toBeLessThan(1);
    const symmetric = conformalTable(errors, { sided: false })!;
    const half = tableRow(symmetric, 2);
    expect(half.below).toEqual(half.above);
  });

  it('keeps rows on a step grid about 25% apart and interpolates between them', () => {
    expect(tableSteps(12)).toEqual([1, 2, 3, 4, 5, 6, 8, 10, 12]);
    expect(tableSteps(240)).toHaveLength(23);
    const table = { levels: [0.8], steps: [1, 4], halfWidth: [[1], [4]] };
    expect(tableRow(table, 2)).toEqual({ below: [2], above: [2] });
    expect(tableRow(table, 4).above).toEqual([4]);
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
    const corrected = conformalTable(errors, { effectiveScale: 1 })!;
    const milder = conformalTable(errors)!;
    const w80 = (t: typeof plain) => widthAt(t, tableRow(t, 1).above, 0.8);
    expect(w80(corrected)).toBeGreaterThan(w80(milder));
    expect(w80(milder)).toBeGreaterThan(w80(plain));
  });

  it('never goes below the floor, and stores widths to four significant digits rounded up', () => {
    const table = conformalTable([new Array<number>(40).fill(0)], { floor: 0.5 })!;
    expect(tableRow(table, 1).below.every((w) => w === 0.5)).toBe(true);
    expect(roundUp(1.23412)).toBe(1.235);
    expect(roundUp(98765.4)).toBe(98770);
    expect(roundUp(0.000123456)).toBe(0.0001235);
    expect(roundUp(2)).toBe(2);
  });

  it('refuses to calibrate on too few errors', () => {
    expect(conformalTable([[1, 2], [3]])).toBeUndefined();
  });

  it('isotonic regression pools violators', () => {
    expect(isotonicIncreasing([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
  });
});
