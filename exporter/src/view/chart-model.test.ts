import { describe, expect, it } from 'vitest';
import { anomalyMarkers } from './anomalies.js';
import { medianStep, valueNear } from './series.js';
import { buildChartModel, extent } from './chart-model.js';
import { horizonSeconds, levelKey, pickHorizon, pickLevel } from './levels.js';

describe('anomalyMarkers', () => {
  const actual = { t: [0, 60, 120, 180], v: [1, 2, 30, 4] };

  it('marks samples with severity above 0 on the actual line', () => {
    const markers = anomalyMarkers(actual, {
      severity: { t: [60, 120, 180], v: [0, 3, 1] },
      score: { t: [120, 180], v: [0.99, 0.91] },
    });
    expect(markers).toEqual([
      { t: 120, v: 30, score: 0.99, severity: 3 },
      { t: 180, v: 4, score: 0.91, severity: 1 },
    ]);
  });

  it('falls back to the 0/1 flag as low severity', () => {
    const markers = anomalyMarkers(actual, { flag: { t: [60, 120], v: [0, 1] } });
    expect(markers).toEqual([{ t: 120, v: 30, score: NaN, severity: 1 }]);
  });

  it('puts a marker far from any actual at NaN', () => {
    expect(valueNear(actual, 1000, 2 * medianStep(actual.t))).toBeNaN();
    expect(valueNear(actual, 70, 120)).toBe(2);
  });
});

describe('levels and horizons', () => {
  it('reads labels', () => {
    expect(levelKey('0.950')).toBe('0.95');
    expect(levelKey(1)).toBeUndefined();
    expect(horizonSeconds('1h')).toBe(3600);
    expect(horizonSeconds('300')).toBe(300);
    expect(horizonSeconds('soon')).toBeUndefined();
  });

  it('falls back to the shortest horizon and the widest level', () => {
    expect(pickHorizon([3600, 300], 900)).toBe(300);
    expect(pickHorizon([3600, 300], 3600)).toBe(3600);
    expect(pickLevel(['0.8', '0.95'], '0.5')).toBe('0.95');
    expect(pickLevel(['0.8', '0.95'], '0.80')).toBe('0.8');
    expect(pickLevel([], '0.8')).toBeUndefined();
  });
});

describe('buildChartModel', () => {
  const input = {
    actual: { t: [0, 300, 600], v: [1, 2, 3] },
    history: [
      {
        horizon: 300,
        point: { t: [0, 300], v: [1.1, 2.2] },
        bands: { '0.95': { lower: { t: [0, 300], v: [0.5, 1.5] }, upper: { t: [0, 300], v: [1.5, 2.5] } } },
      },
    ],
    latest: [{ horizon: 300, point: 3.3, bands: { '0.95': [2, 5] as [number, number] } }],
    anomalies: { severity: { t: [600], v: [4] } },
  };

  it('puts the band over history, the fan after the last sample, and the x range over both', () => {
    const model = buildChartModel(input, { level: '0.95' });
    expect(model.horizon).toBe(300);
    expect(model.band.t).toEqual([300, 600]);
    expect(model.fan.t).toEqual([600, 900]);
    expect(model.markers.map((m) => [m.t, m.v, m.severity])).toEqual([[600, 3, 4]]);
    expect(model.x).toEqual([0, 900]);
    expect(model.y).toEqual([0.5, 5]);
  });

  it('takes the issue time the exporter reported over the last actual time', () => {
    expect(buildChartModel(input, {}).fan.t[0]).toBe(600);
    expect(buildChartModel({ ...input, lastSampleTime: 620 }).fan.t).toEqual([620, 920]);
  });

  it('gives a usable range with no data at all', () => {
    const model = buildChartModel({ actual: { t: [], v: [] }, history: [], latest: undefined, anomalies: [] });
    expect(model.band.t).toEqual([]);
    expect(model.fan.t).toEqual([]);
    expect(model.y).toEqual([0, 1]);
    expect(extent([[2, 2]])).toEqual([1.9, 2.1]);
  });
});
