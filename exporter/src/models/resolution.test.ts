import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Resolution, SIGNIFICANT_DIGITS, widthFloor } from './resolution.js';

describe('series resolution', () => {
  it('finds the quantum a series is written at', () => {
    expect(new Resolution().observeAll([12, 15, 0, 3]).quantum).toBe(1);
    expect(new Resolution().observeAll([120, 150, 0, 30]).quantum).toBe(10);
    expect(new Resolution().observeAll([0.25, 3.5, 12]).quantum).toBeCloseTo(0.01, 15);
    expect(new Resolution().observeAll([5368708.267, 1073741.6]).quantum).toBeCloseTo(0.001, 15);
    expect(widthFloor([0, 0, 12, 12, NaN])).toBe(0.5);
    expect(widthFloor([0, 10, 20, NaN])).toBe(5);
    expect(widthFloor([3, 4])).toBe(0.5);
  });

  it('never goes finer than the significant digits of the largest magnitude, nor below zero for zeros', () => {
    const r = new Resolution().observeAll([Math.PI, Math.E, 1 / 3]);
    expect(r.quantum).toBeCloseTo(10 ** -SIGNIFICANT_DIGITS, 20);
    expect(widthFloor([1e150, 2e150 + 1e140])).toBeGreaterThan(4 * Number.EPSILON * 2e150);
    expect(widthFloor([0, 0, NaN])).toBe(0);
  });

  it('refines as values arrive and survives a round trip', () => {
    const r = new Resolution().observeAll([10, 20]);
    expect(r.quantum).toBe(10);
    r.observe(25);
    expect(r.quantum).toBe(1);
    expect(new Resolution(r.toJSON()).quantum).toBe(1);
    expect(new Resolution(undefined).quantum).toBe(0);
  });

  it('gives the quantum of the plain rule: each value checked against every power of ten', () => {
    // the rule without the class's shortcuts (log10 only on a new largest magnitude, the power kept)
    const plain = (values: number[]): number => {
      let exponent = Infinity;
      let top = -Infinity;
      for (const v of values) {
        if (!Number.isFinite(v) || v === 0) continue;
        const m = Math.floor(Math.log10(Math.abs(v)));
        top = Math.max(top, m);
        if (exponent === Infinity) exponent = m;
        exponent = Math.max(exponent, top - SIGNIFICANT_DIGITS);
        const multiple = (e: number) => {
          const r = e >= 0 ? v / 10 ** e : v * 10 ** -e;
          return Math.abs(r - Math.round(r)) <= 8 * Number.EPSILON * Math.max(1, Math.abs(r));
        };
        while (exponent > top - SIGNIFICANT_DIGITS && !multiple(exponent)) exponent--;
      }
      return Number.isFinite(exponent) ? 10 ** exponent : 0;
    };
    const value = fc.oneof(
      fc.integer({ min: -1e6, max: 1e6 }),
      fc.integer({ min: -1e6, max: 1e6 }).map((i) => i / 100),
      fc.integer({ min: 0, max: 1e4 }).map((i) => i * 1000),
      fc.double({ min: -1e9, max: 1e9, noNaN: true }),
      fc.constant(0),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), fc.integer({ min: 0, max: 60 }), (values, cut) => {
        expect(new Resolution().observeAll(values).quantum).toBe(plain(values));
        // and after a round trip part way
        const head = new Resolution().observeAll(values.slice(0, cut));
        expect(new Resolution(head.toJSON()).observeAll(values.slice(cut)).quantum).toBe(plain(values));
      }),
      { numRuns: 500 },
    );
  });
});
