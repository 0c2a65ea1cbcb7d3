import { describe, expect, it } from 'vitest';
import { mstl } from './mstl.js';
import { prophet } from './prophet.js';
import { seasonsCoveredTwice } from './augurs.js';
import { dailySeries } from '../../test/fixtures/synthetic-series.js';
import type { ModelFactory } from './types.js';

const DAY = 288;

function truthAfter(points: number, horizon: number): number[] {
  return dailySeries({ points: points + horizon, noise: 0 }).values.slice(points);
}

describe('seasonsCoveredTwice', () => {
  it('keeps daily and weekly only when the history holds two of each', () => {
    expect(seasonsCoveredTwice(300, 2 * DAY - 1)).toEqual([]);
    expect(seasonsCoveredTwice(300, 2 * DAY)).toEqual([DAY]);
    expect(seasonsCoveredTwice(300, 4032)).toEqual([DAY, 2016]);
    expect(seasonsCoveredTwice(3600, 400, [24, 1])).toEqual([24]);
  });
});

describe.each<[string, ModelFactory]>([
  ['mstl', mstl],
  ['prophet', prophet],
])('%s (augurs)', (_name, factory) => {
  const series = dailySeries({ points: 4 * DAY });
  const horizon = 48;

  it('follows the daily shape and nests its bands', async () => {
    const fitted = await factory.fit(series);
    const result = fitted.forecast(horizon, [0.8, 0.95]);
    expect(result.point).toHaveLength(horizon);
    const truth = truthAfter(series.values.length, horizon);
    const mae = truth.reduce((s, v, i) => s + Math.abs(v - result.point[i]), 0) / horizon;
    // amplitude 10, noise within ±1: a seasonal fit is well inside 2
    expect(mae).toBeLessThan(2);
    const [i80, i95] = result.intervals;
    expect(i80.level).toBe(0.8);
    for (let k = 0; k < horizon; k++) {
      expect(i95.lower[k]).toBeLessThanOrEqual(i80.lower[k] + 1e-9);
      expect(i80.lower[k]).toBeLessThanOrEqual(result.point[k] + 1e-9);
      expect(i80.upper[k]).toBeLessThanOrEqual(i95.upper[k] + 1e-9);
    }
    expect(fitted.description.length).toBeGreaterThan(0);
  });

  it('update moves the forecast origin and a JSON round trip reproduces the forecast', async () => {
    const head = { ...series, values: series.values.slice(0, series.values.length - 24) };
    const fitted = await factory.fit(head);
    fitted.update(series.values.slice(-24));
    const updated = fitted.forecast(horizon, [0.9]);
    const direct = (await factory.fit(series)).forecast(horizon, [0.9]);
    for (let k = 0; k < horizon; k++) expect(updated.point[k]).toBeCloseTo(direct.point[k], 6);

    const restored = factory.restore(JSON.parse(JSON.stringify(fitted.toJSON())));
    const again = restored.forecast(horizon, [0.9]);
    for (let k = 0; k < horizon; k++) {
      expect(again.point[k]).toBeCloseTo(updated.point[k], 6);
      expect(again.intervals[0].upper[k]).toBeCloseTo(updated.intervals[0].upper[k], 6);
    }
  });

  it('tolerates gaps, a constant series and a short history', async () => {
    const gappy = { ...series, values: series.values.map((v, i) => (i % 37 === 0 || i === 5 ? NaN : v)) };
    const result = (await factory.fit(gappy)).forecast(12, [0.95]);
    expect(result.point.every(Number.isFinite)).toBe(true);

    const flat = (await factory.fit({ ...series, values: new Array(300).fill(7) })).forecast(5, [0.8]);
    expect(flat.point).toEqual([7, 7, 7, 7, 7]);
    expect(flat.intervals[0].upper).toEqual([7, 7, 7, 7, 7]);

    const short = (await factory.fit({ ...series, values: series.values.slice(0, 100) })).forecast(6, [0.8]);
    expect(short.point.every(Number.isFinite)).toBe(true);
    await expect(factory.fit({ ...series, values: [1, 2, NaN] })).rejects.toThrow(/needs at least/);
  });
});
