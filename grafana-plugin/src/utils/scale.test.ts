import { describe, expect, it } from 'vitest';
import { linePath, ribbonPath } from './paths';
import { linearScale, niceTicks, timeTicks } from './scale';
import { parseThresholds } from './thresholds';

describe('scales and ticks', () => {
  it('maps linearly, inverted for y', () => {
    const y = linearScale([0, 10], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(2.5)).toBe(75);
  });

  it('picks round ticks', () => {
    expect(niceTicks(0.03, 0.97, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(timeTicks(3500, 11000, 3)).toEqual([3600, 7200, 10800]);
  });
});

describe('paths', () => {
  const id = (v: number) => v;
  it('breaks lines at gaps', () => {
    expect(linePath([0, 1, 2, 3], [5, NaN, 6, 7], id, id)).toBe('M0,5M2,6L3,7');
  });

  it('closes one polygon per run where both bounds are known', () => {
    expect(ribbonPath([0, 1, 2, 3, 4], [1, 1, NaN, 1, 1], [2, 3, 4, 2, 2], id, id)).toBe(
      'M0,2L1,3L1,1L0,1ZM3,2L4,2L4,1L3,1Z',
    );
  });
});

describe('parseThresholds', () => {
  it('reads numbers and skips the rest', () => {
    expect(parseThresholds('0.9, 0.95 x')).toEqual([0.9, 0.95]);
    expect(parseThresholds('')).toEqual([]);
  });
});
