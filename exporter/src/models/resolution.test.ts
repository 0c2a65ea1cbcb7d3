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
});
