import { describe, expect, it } from 'vitest';
import { dateTime } from '@grafana/data';
import type { ChartModel } from '../../../exporter/src/view/index.js';
import { fitToRange, rangeSeconds } from './timeRange';

const all = { actual: true, band: true, fan: true, anomalies: true };

/** Actuals every 60 s from 0 to 600, a band shifted 300 s ahead, a fan from 600 to 2400. */
function model(): ChartModel {
  const t = Array.from({ length: 11 }, (_, i) => i * 60);
  const bandT = t.map((time) => time + 300);
  return {
    actual: { t, v: t.map((time) => time / 60) },
    band: { t: bandT, point: bandT.map(() => 5), lower: bandT.map(() => 4), upper: bandT.map(() => 6) },
    fan: { t: [600, 900, 2400], point: [10, 11, 12], lower: [10, 9, 7], upper: [10, 13, 20] },
    markers: [
      { t: 120, v: 2, score: 0.9, severity: 3 },
      { t: 480, v: 8, score: 0.5, severity: 1 },
    ],
    level: '0.95',
    horizon: 300,
    horizons: [300],
    levels: ['0.95'],
    lastSample: { t: 600, v: 10 },
    x: [0, 2400],
    y: [0, 20],
  };
}

describe('rangeSeconds', () => {
  it("reads Grafana's TimeRange in seconds and rejects empty or broken ranges", () => {
    expect(rangeSeconds({ from: dateTime(60_000), to: dateTime(120_000) })).toEqual({ from: 60, to: 120 });
    expect(rangeSeconds({ from: dateTime(0), to: dateTime(0) })).toBeUndefined();
    expect(rangeSeconds({ from: { valueOf: () => NaN }, to: dateTime(1) })).toBeUndefined();
    expect(rangeSeconds(undefined)).toBeUndefined();
  });
});

describe('fitToRange', () => {
  it('starts at the range start and ends at the end of the fan when that lies further', () => {
    const fitted = fitToRange(model(), { from: -600, to: 610 }, all);
    expect(fitted.x).toEqual([-600, 2400]);
    expect(fitted.actual.t).toHaveLength(11);
    expect(fitted.markers).toHaveLength(2);
  });

  it('ends at the range end when that lies further, and hidden parts do not stretch the axis', () => {
    expect(fitToRange(model(), { from: 0, to: 5000 }, all).x).toEqual([0, 5000]);
    const noFan = fitToRange(model(), { from: 0, to: 600 }, { ...all, fan: false });
    expect(noFan.x).toEqual([0, 900]); // the band still reaches 600 + 300
    expect(fitToRange(model(), { from: 0, to: 600 }, { ...all, fan: false, band: false }).x).toEqual([0, 600]);
  });

  it('drops points before the start but keeps the nearest one, so lines reach the edge', () => {
    const fitted = fitToRange(model(), { from: 150, to: 600 }, all);
    expect(fitted.actual.t).toEqual([120, 180, 240, 300, 360, 420, 480, 540, 600]);
    expect(fitted.markers.map((m) => m.t)).toEqual([480]);
    expect(fitted.band.t[0]).toBe(300);
    // the band (300..900) cut at 500: its point at 480 is the nearest before, kept for the edge
    expect(fitToRange(model(), { from: 500, to: 600 }, all).band.t.slice(0, 2)).toEqual([480, 540]);
  });

  it('scales y on the shown parts inside the window only', () => {
    const late = fitToRange(model(), { from: 450, to: 600 }, { ...all, fan: false, band: false });
    // actuals 8..10 inside; the kept neighbour at 420 (value 7) is drawn but clipped, not scaled for
    expect(late.y).toEqual([8, 10]);
    expect(fitToRange(model(), { from: 450, to: 600 }, all).y).toEqual([4, 20]);
  });

  it('keeps the data extent as the time axis without a usable range', () => {
    const fitted = fitToRange(model(), undefined, all);
    expect(fitted.x).toEqual([0, 2400]);
    expect(fitted.actual.t).toHaveLength(11);
  });
});
