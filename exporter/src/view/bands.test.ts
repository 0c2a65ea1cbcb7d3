import { describe, expect, it } from 'vitest';
import { breakAtGaps, buildBands, historyHorizons, historyLevels } from './bands.js';
import { alignOnTimes } from './series.js';
import type { ForecastHistory } from './types.js';

const history: ForecastHistory[] = [
  {
    horizon: 900,
    point: { t: [0, 60, 120], v: [1, 2, 3] },
    bands: {
      '0.8': { lower: { t: [0, 60, 120], v: [0.5, 1.5, 2.5] }, upper: { t: [0, 60, 120], v: [1.5, 2.5, 3.5] } },
      '0.95': { lower: { t: [60, 120], v: [1, 2] }, upper: { t: [60, 120], v: [3, 4] } },
    },
  },
  { horizon: 300, point: { t: [0, 60], v: [9, 8] }, bands: {} },
];

describe('buildBands', () => {
  it('shifts each forecast by its horizon to the moment it predicted', () => {
    const band = buildBands(history, 900, '0.8');
    expect(band.t).toEqual([900, 960, 1020]);
    expect(band.point).toEqual([1, 2, 3]);
    expect(band.lower).toEqual([0.5, 1.5, 2.5]);
    expect(band.upper).toEqual([1.5, 2.5, 3.5]);
  });

  it('aligns parts of different lengths, leaving NaN where a part is missing', () => {
    const band = buildBands(history, 900, '0.95');
    expect(band.t).toEqual([900, 960, 1020]);
    expect(band.lower).toEqual([NaN, 1, 2]);
    expect(band.upper).toEqual([NaN, 3, 4]);
  });

  it('draws the point alone when the level is absent, and nothing for an absent horizon', () => {
    const band = buildBands(history, 300, '0.8');
    expect(band.t).toEqual([300, 360]);
    expect(band.point).toEqual([9, 8]);
    expect(band.lower.every(Number.isNaN)).toBe(true);
    expect(buildBands(history, 3600, '0.8').t).toEqual([]);
  });

  it('draws bounds without a point forecast', () => {
    const band = buildBands(
      [{ horizon: 60, bands: { '0.8': { lower: { t: [10], v: [1] }, upper: { t: [10], v: [2] } } } }],
      60,
      '0.8',
    );
    expect(band).toEqual({ t: [70], point: [NaN], lower: [1], upper: [2] });
  });
});

describe('breakAtGaps', () => {
  it('breaks the band where issue times jump, and leaves a regular band alone', () => {
    const ribbon = {
      t: [0, 60, 120, 600, 660],
      point: [1, 1, 1, 1, 1],
      lower: [0, 0, 0, 0, 0],
      upper: [2, 2, 2, 2, 2],
    };
    const broken = breakAtGaps(ribbon);
    expect(broken.t).toEqual([0, 60, 120, 360, 600, 660]);
    expect(broken.lower).toEqual([0, 0, 0, NaN, 0, 0]);
    const regular = { t: [0, 60, 120], point: [1, 1, 1], lower: [0, 0, 0], upper: [2, 2, 2] };
    expect(breakAtGaps(regular)).toEqual(regular);
  });
});

describe('alignOnTimes', () => {
  it('sorts the union of times and keeps the last of repeated times', () => {
    const [t, a, b] = alignOnTimes([
      { t: [30, 10, 10], v: [3, 1, 1.5] },
      { t: [20], v: [2] },
    ]);
    expect(t).toEqual([10, 20, 30]);
    expect(a).toEqual([1.5, NaN, 3]);
    expect(b).toEqual([NaN, 2, NaN]);
  });
});

describe('history horizons and levels', () => {
  it('lists them ascending', () => {
    expect(historyHorizons(history)).toEqual([300, 900]);
    expect(historyLevels(history)).toEqual(['0.8', '0.95']);
  });
});
