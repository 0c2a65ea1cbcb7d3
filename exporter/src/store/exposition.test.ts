import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { EntryRenderer, exportedLabels, formatValue, sanitiseLabelName } from './exposition.js';
import { SERIES_FAMILIES } from '../vocabulary.js';

const entry = (extra = '') =>
  parseConfig(
    `series: [{name: cpu, query: q, horizons: [5m, 1h], levels: [0.8, 0.95], thresholds: [0.92]${extra}}]`,
    't.yml',
  ).series[0];

const state = {
  lastT: 1_800_000_000,
  lastValue: 0.5,
  forecast: {
    origin: 1_800_000_000,
    step: 300,
    point: Float64Array.from({ length: 12 }, (_, i) => 0.5 + 0.05 * i),
    intervals: [0.8, 0.95].map((level) => ({
      level,
      lower: Float64Array.from({ length: 12 }, (_, i) => 0.4 + 0.05 * i),
      upper: Float64Array.from({ length: 12 }, (_, i) => (i === 11 && level === 0.95 ? NaN : 0.6 + 0.05 * i)),
    })),
  },
  detection: { score: 0.99, isAnomaly: true, severity: 2 },
  model: { name: 'ets', requested: 'auto', description: 'ETS(A,N,N) "x"', lastFit: 1_799_990_000 },
  accuracy: [
    { horizon: 300, mase: 0.7, coverage: { '0.8': 0.8, '0.95': 0.9 }, evaluated: 10 },
    { horizon: 3600, mase: NaN, coverage: { '0.8': NaN, '0.95': NaN }, evaluated: 0 },
  ],
};

const text = (r: { exposition: Uint8Array }) => new TextDecoder().decode(r.exposition);

describe('exposition', () => {
  it('sanitises label names as escaping=underscores does, and never loses a value', () => {
    expect(sanitiseLabelName('foo.bar')).toBe('foo_bar');
    expect(sanitiseLabelName('bad-name')).toBe('bad_name');
    expect(sanitiseLabelName('1st')).toBe('_1st');
    expect(sanitiseLabelName('ok_name9')).toBe('ok_name9');
    expect(exportedLabels({ series: 'a', horizon: 'b', 'foo.bar': 'c', foo_bar: 'd', instance: 'e' })).toEqual({
      exported_series: 'a',
      exported_horizon: 'b',
      foo_bar: 'c',
      foo_bar_2: 'd',
      instance: 'e',
    });
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
  });

  it('renders every family in its own block, escapes label values and omits non-finite values', () => {
    const r = new EntryRenderer(entry());
    const out = r.render(r.baseLabels({ instance: 'a"b\\c' }), state);
    const body = text(out);
    expect(body).toContain('cloudpulse_forecast{series="cpu",instance="a\\"b\\\\c",horizon="1h"} 1.05\n');
    expect(body).toContain(
      'cloudpulse_forecast_upper{series="cpu",instance="a\\"b\\\\c",horizon="5m",level="0.95"} 0.6\n',
    );
    // the 1 h upper bound at 95% is NaN: no line rather than a NaN the alerts would trip on
    expect(body).not.toMatch(/forecast_upper\{[^}]*horizon="1h",level="0.95"/);
    expect(body).toMatch(/forecast_upper\{[^}]*horizon="1h",level="0.8"/);
    expect(body).toContain('model="ets",description="ETS(A,N,N) \\"x\\""} 1\n');
    expect(body).toContain('cloudpulse_anomaly_severity{series="cpu",instance="a\\"b\\\\c"} 2\n');
    expect(body).not.toMatch(/forecast_mase\{[^}]*horizon="1h"/);
    // the offsets cut the bytes into whole lines of one family each
    for (let f = 0; f < SERIES_FAMILIES.length; f++) {
      const part = new TextDecoder().decode(out.exposition.subarray(out.offsets[f], out.offsets[f + 1]));
      for (const line of part.split('\n').filter(Boolean))
        expect(line.startsWith(SERIES_FAMILIES[f].name + '{')).toBe(true);
    }
  });

  it('exports only the groups, horizons and levels the entry asks for, and counts them', () => {
    const r = new EntryRenderer(entry(', outputs: {families: [bounds, anomaly], horizons: [1h], levels: [0.8]}'));
    const body = text(r.render(r.baseLabels({ instance: 'i' }), state));
    const names = new Set(
      body
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(0, l.indexOf('{'))),
    );
    expect([...names].sort()).toEqual([
      'cloudpulse_anomaly',
      'cloudpulse_anomaly_score',
      'cloudpulse_anomaly_severity',
      'cloudpulse_forecast_lower',
      'cloudpulse_forecast_upper',
    ]);
    expect(body).not.toContain('level="0.95"');
    expect(body).not.toContain('horizon="5m"');
    expect(r.samplesPerSeries()).toBe(2 + 3);
    expect(new EntryRenderer(entry()).samplesPerSeries()).toBe(4 / 2 + 2 * 2 * 2 + 2 + 3 + 2 + 2 + 2 + 4);
  });

  it('computes threshold ETAs once per forecast, for the point and the widest band', () => {
    const r = new EntryRenderer(entry());
    const body = text(r.render(r.baseLabels({}), state));
    // point path 0.5 + 0.05 i (step i + 1) passes 0.92 between steps 9 and 10, at 9.4 steps; the
    // 95% upper path 0.6 + 0.05 i between steps 7 and 8, at 7.4 steps (linear interpolation)
    const eta = (bound: string) =>
      Number(
        new RegExp(`cloudpulse_threshold_eta_seconds\\{series="cpu",threshold="0.92",bound="${bound}"\\} (\\S+)`).exec(
          body,
        )![1],
      );
    expect(eta('point')).toBeCloseTo(9.4 * 300, 6);
    expect(eta('upper')).toBeCloseTo(7.4 * 300, 6);
  });
});
