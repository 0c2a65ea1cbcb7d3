import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { EntryRenderer } from '../store/exposition.js';
import { countLines, parseSampleLine, sampleLines, vanishedLines, withExternalLabels } from './samples.js';

const entry = parseConfig(
  'series: [{name: cpu, query: q, horizons: [5m, 1h], levels: [0.8, 0.95], thresholds: [0.5]}]',
  't.yml',
).series[0];
const renderer = new EntryRenderer(entry);
const state = (shift: number) => ({
  lastT: 1_800_000_000,
  lastValue: 0.1 + shift,
  forecast: {
    origin: 1_800_000_000,
    step: 300,
    point: Float64Array.from({ length: 12 }, (_, i) => 0.3 + shift + 0.05 * i),
    intervals: [0.8, 0.95].map((level) => ({
      level,
      lower: Float64Array.from({ length: 12 }, (_, i) => 0.2 + shift + 0.01 * i),
      upper: Float64Array.from({ length: 12 }, (_, i) => 0.4 + shift + 0.07 * i),
    })),
  },
  detection: { score: 1 / 3, isAnomaly: false, severity: 0 },
  model: { name: 'ets', requested: 'auto', description: 'ETS "A,N,N"\nsecond line', lastFit: 1_799_990_000.5 },
  accuracy: [],
});

describe('samples from exposition lines', () => {
  it('reads every rendered line back to the labels and the exact value the text shows', () => {
    const labels = { instance: 'we"ird\\path\nx', job: 'node', 'bad.name': 'ünïcode ✓', zone: '' };
    const { exposition } = renderer.render(renderer.baseLabels(labels), state(0));
    const lines = sampleLines(exposition);
    expect(lines.length).toBe(countLines(exposition));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const parsed = parseSampleLine(line)!;
      // the value is the one the text shows, to the last bit
      expect(parsed.value).toBe(Number(line.slice(line.lastIndexOf(' ') + 1)));
      const own = Object.fromEntries(parsed.labels.map((l) => [l.name, l.value]));
      expect(own.__name__).toBe(line.slice(0, line.indexOf('{')));
      expect(own.series).toBe('cpu');
      expect(own.instance).toBe('we"ird\\path\nx');
      expect(own.bad_name).toBe('ünïcode ✓');
      expect(own.zone).toBe('');
    }
    const info = parseSampleLine(lines.find((l) => l.startsWith('cloudpulse_model_info'))!)!;
    expect(info.labels.find((l) => l.name === 'description')!.value).toBe('ETS "A,N,N"\nsecond line');
    const score = parseSampleLine(lines.find((l) => l.startsWith('cloudpulse_anomaly_score'))!)!;
    expect(score.value).toBe(1 / 3);
  });

  it('refuses lines that are not samples instead of guessing', () => {
    expect(parseSampleLine('')).toBeUndefined();
    expect(() => parseSampleLine('garbage')).toThrow(/not an exposition sample line/);
    expect(() => parseSampleLine('m{a="unterminated} 1')).toThrow(/bad labels/);
    expect(parseSampleLine('m 2.5')).toEqual({ labels: [{ name: '__name__', value: 'm' }], value: 2.5 });
    expect(parseSampleLine('m{a="1"} +Inf')!.value).toBe(Infinity);
  });

  it('sorts labels, drops empty values and adds external labels the series does not have', () => {
    const parsed = parseSampleLine('cloudpulse_actual{series="cpu",instance="a",cluster="own",zone=""} 1')!;
    const out = withExternalLabels(parsed.labels, [
      { name: 'cluster', value: 'eu-1' },
      { name: '__replica__', value: 'r1' },
      { name: 'Region', value: 'x' },
    ]);
    expect(out).toEqual([
      { name: 'Region', value: 'x' },
      { name: '__name__', value: 'cloudpulse_actual' },
      { name: '__replica__', value: 'r1' },
      { name: 'cluster', value: 'own' },
      { name: 'instance', value: 'a' },
      { name: 'series', value: 'cpu' },
    ]);
  });

  it('finds the series a changed record no longer exports', () => {
    const base = renderer.baseLabels({ instance: 'a' });
    const crossing = renderer.render(base, state(0)).exposition; // the forecast crosses 0.5
    const below = renderer.render(base, state(-1)).exposition; // neither bound does any more
    const etaLines = sampleLines(crossing).filter((l) => l.startsWith('cloudpulse_threshold_eta_seconds'));
    expect(etaLines.length).toBeGreaterThan(0);
    const gone = sampleLines(vanishedLines(crossing, below)!);
    expect(gone).toEqual(etaLines);
    expect(vanishedLines(below, crossing)).toBeUndefined();
  });
});
