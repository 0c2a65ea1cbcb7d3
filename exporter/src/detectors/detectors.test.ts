import { describe, expect, it } from 'vitest';
import { AlertState, severityOf, scoreFromSurprise } from './blocks/severity.js';
import { RepeatSuppressor } from './blocks/repeat-suppressor.js';
import { BlockRange, roundDown, roundUp } from './blocks/block-range.js';
import { CounterView } from './blocks/counter.js';
import { DETECTORS, getDetector } from './index.js';
import { residual } from './residual.js';
import { createModelResidualScorer } from './lstm.js';
import { seededRandom } from '../util/random.js';

/** a daily sine at 5-minute steps with noise and one spike at `spikeAt` */
function series(n: number, spikeAt: number): number[] {
  const random = seededRandom(7);
  return Array.from(
    { length: n },
    (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + random() * 2 + (i === spikeAt ? 40 : 0),
  );
}

describe('severity', () => {
  it('grades by multiples of the threshold surprise', () => {
    const t = 0.9; // surprise ln 10
    expect(severityOf(0.89, t)).toBe(0);
    expect(severityOf(0.9, t)).toBe(1);
    expect(severityOf(1 - 10 ** -1.5, t)).toBe(2);
    expect(severityOf(0.995, t)).toBe(3);
    expect(severityOf(0.9995, t)).toBe(4);
  });
  it('holds an alert through one quiet point (hysteresis)', () => {
    const a = new AlertState({ threshold: 0.9, exitPoints: 3 });
    expect(a.update(0.95).isAnomaly).toBe(true);
    expect(a.update(0.1).isAnomaly).toBe(true);
    expect(a.update(0.95).isAnomaly).toBe(true);
    a.update(0.1);
    a.update(0.1);
    expect(a.update(0.1).isAnomaly).toBe(false);
  });
  it('maps surprises monotonically into [0,1]', () => {
    expect(scoreFromSurprise(0)).toBe(0);
    expect(scoreFromSurprise(-Math.log(1e-5))).toBeCloseTo(0.9, 6);
    expect(scoreFromSurprise(Infinity)).toBe(1);
  });
});

describe('building blocks', () => {
  it('damps a repeat no larger than the recent peak, passes a larger one, forgets after many half-lives', () => {
    const r = new RepeatSuppressor(10);
    expect(r.update(20)).toBe(20);
    expect(r.update(20)).toBeCloseTo(10, 9);
    expect(r.update(30)).toBe(30);
    for (let i = 0; i < 200; i++) r.update(0);
    expect(r.update(20)).toBe(20);
  });

  it('keeps a sliding range in fixed memory, exact to within a block and a float32 step outwards', () => {
    const r = new BlockRange(630);
    const random = seededRandom(5);
    const values = Array.from({ length: 5000 }, () => random());
    values.forEach((v) => r.push(v));
    const covered = values.slice(-r.count);
    expect(r.count).toBeGreaterThanOrEqual(620);
    expect(r.count).toBeLessThanOrEqual(640);
    const max = Math.max(...covered);
    const min = Math.min(...covered);
    expect(r.max).toBeGreaterThanOrEqual(max);
    expect(r.max).toBeLessThanOrEqual(roundUp(max));
    expect(r.min).toBeLessThanOrEqual(min);
    expect(r.min).toBeGreaterThanOrEqual(roundDown(min));
  });

  it('rounds float32 outwards: to the nearest float32 on the far side, a float32 itself unchanged', () => {
    for (const x of [0.1, -0.1, 1e-300, -1e-300, 79.99616, 1e12 + 1, -3.3e38]) {
      const up = roundUp(x);
      const down = roundDown(x);
      expect(Math.fround(up)).toBe(up);
      expect(Math.fround(down)).toBe(down);
      expect(up).toBeGreaterThanOrEqual(x);
      expect(down).toBeLessThanOrEqual(x);
      // adjacent float32s: none lies strictly between them
      expect(down).toBeLessThan(up);
      expect([down, up]).toContain(Math.fround((down + up) / 2));
    }
    for (const x of [0, 1, -2.5, 3, Math.fround(0.1), Infinity, -Infinity]) {
      expect(roundUp(x)).toBe(x);
      expect(roundDown(x)).toBe(x);
    }
  });

  it('recognises a counter and scores its increase per step, a reset included, losing no point', () => {
    const view = new CounterView(60);
    const out: number[] = [];
    let total = 0;
    for (let i = 0; i < 100; i++) {
      total = i === 80 ? 5 : total + 10;
      view.push(i * 60, [total], (_t, x) => out.push(x[0]));
    }
    expect(view.isCounter).toBe(true);
    expect(out).toHaveLength(100);
    expect(out[0]).toBeNaN(); // the first total has no increase
    expect(out[60]).toBe(10);
    expect(out[80]).toBeNaN(); // a reset: that step's increase is unknown, a gap
    expect(view.value(10)).toBe(total);
    const gauge = new CounterView(60);
    const seen: number[] = [];
    for (let i = 0; i < 100; i++) gauge.push(i * 60, [Math.sin(i)], (_t, x) => seen.push(x[0]));
    expect(gauge.isCounter).toBe(false);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => Math.sin(i)));
  });
});

describe('detectors', () => {
  it('lists every detector by name', () => {
    expect(Object.keys(DETECTORS).sort()).toEqual([
      'contextual',
      'ensemble',
      'isolation_forest',
      'lstm',
      'random_forest',
      'residual',
      'residual_contextual',
    ]);
    expect(getDetector('nope')).toBeUndefined();
  });

  for (const name of [
    'residual',
    'isolation_forest',
    'random_forest',
    'ensemble',
    'contextual',
    'residual_contextual',
  ]) {
    it(`${name} alarms at the default threshold on an injected spike at 5-minute steps, and not before`, () => {
      const values = series(2400, 2000);
      const scorer = getDetector(name)!.create({ step: 300, seed: 1 });
      const flags = values.map((v, i) => scorer.score(i * 300, v).isAnomaly);
      expect(flags.slice(600, 2000).some(Boolean)).toBe(false);
      expect(flags[2000]).toBe(true);
    });
  }

  // at 1 minute a 24-point window's spread at the daily peak is pure noise, so its new lows come
  // closer to the threshold than at 5 minutes: three alarms in ten days here (none at 5 minutes,
  // see the spike test above), a known weakness recorded in docs/benchmarks.md
  it('residual at 1-minute and 1-hour steps: at most three alarms in ten days on a daily cycle, alarms on a spike', () => {
    for (const step of [60, 3600]) {
      const perDay = 86400 / step;
      const random = seededRandom(9);
      const n = perDay * 10;
      const values = Array.from(
        { length: n },
        (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / perDay) + random() * 2 + (i === n - 10 ? 40 : 0),
      );
      const scorer = residual.create({ step });
      const flags = values.map((v, i) => scorer.score(i * step, v).isAnomaly);
      const onsets = flags.slice(0, n - 10).filter((f, i) => f && !flags[i - 1]).length;
      expect(onsets, `step ${step}`).toBeLessThanOrEqual(3);
      expect(flags[n - 10], `step ${step}`).toBe(true);
    }
  });

  it('residual scores a counter on its increase: steady growth and resets are quiet, a burst alarms', () => {
    let total = 0;
    const random = seededRandom(4);
    const scorer = residual.create({ step: 300 });
    const flags: boolean[] = [];
    for (let i = 0; i < 3000; i++) {
      const rate = 100 + 30 * Math.sin((2 * Math.PI * i) / 288) + 5 * random() + (i === 2800 ? 2000 : 0);
      total = i % 700 === 699 ? 0 : total + rate;
      flags.push(scorer.score(i * 300, total).isAnomaly);
    }
    expect(flags.slice(0, 2800).some(Boolean)).toBe(false);
    expect(flags[2800]).toBe(true);
  });

  it('residual: a gap leaves the score unchanged; a flat-line scores without NaN', () => {
    const scorer = residual.create({ step: 300 });
    let last = scorer.score(0, 1);
    for (let i = 1; i < 800; i++) last = scorer.score(i * 300, 5);
    expect(Number.isFinite(last.score)).toBe(true);
    expect(scorer.score(800 * 300, NaN)).toEqual(last);
  });

  it('residual: a wrong-phase stretch inside the normal range scores above every earlier point', () => {
    // peaks where troughs belong: no value leaves the range, only the forecast error does
    const values = series(2400, -1).map((v, i) => (i >= 2000 && i < 2030 ? 100 - v : v));
    const scorer = residual.create({ step: 300 });
    const scores = values.map((v, i) => scorer.score(i * 300, v).score);
    expect(Math.max(...values.slice(2000, 2030))).toBeLessThan(Math.max(...values.slice(0, 2000)));
    expect(Math.max(...scores.slice(2000, 2030))).toBeGreaterThan(Math.max(...scores.slice(1200, 2000)));
  });

  it('residual: a metric stuck at one ordinary value (flat-line) alarms within two hours, not before', () => {
    const values = series(2400, -1).map((v, i, all) => (i >= 2000 && i < 2100 ? all[2000] : v));
    const scorer = residual.create({ step: 300 });
    const flags = values.map((v, i) => scorer.score(i * 300, v).isAnomaly);
    expect(flags.slice(1200, 2000).some(Boolean)).toBe(false);
    expect(flags.slice(2000, 2024).some(Boolean)).toBe(true);
  });

  it('residual: a sustained rise that never leaves the value range alarms within an hour, not before', () => {
    const random = seededRandom(3);
    const noise = () => Array.from({ length: 12 }, random).reduce((s, x) => s + x, 0) - 6;
    const base = Array.from({ length: 2400 }, () => 50 + 3 * noise());
    const [lo, hi] = [Math.min(...base.slice(0, 2000)), Math.max(...base.slice(0, 2000))];
    // +1.3 standard deviations for six hours, clipped so that no value is a new extreme
    const values = base.map((v, i) => (i >= 2000 && i < 2072 ? Math.min(hi, Math.max(lo, v + 4)) : v));
    const scorer = residual.create({ step: 300 });
    const flags = values.map((v, i) => scorer.score(i * 300, v).isAnomaly);
    expect(flags.slice(1200, 2000).some(Boolean)).toBe(false);
    expect(flags.slice(2000, 2012).some(Boolean)).toBe(true);
  });

  it('residual: a confirmed level shift stops alarming', () => {
    const values = series(3000, -1).map((v, i) => (i >= 2000 ? v + 30 : v));
    const scorer = residual.create({ step: 300 });
    const flags = values.map((v, i) => scorer.score(i * 300, v).isAnomaly);
    expect(flags.slice(2000, 2050).some(Boolean)).toBe(true);
    expect(flags.slice(2600).some(Boolean)).toBe(false);
  });

  it('a model-backed residual scorer switches from the online predictor to the fitted model', async () => {
    // a model that always forecasts the series' own formula: once warm, `expected` must be its value
    const truth = (i: number) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288);
    let at = 0;
    const model = {
      name: 'exact',
      description: 'exact',
      forecast: () => ({ point: [truth(at)], intervals: [] }),
      update: (values: ArrayLike<number>) => void (at += values.length),
      toJSON: () => ({ model: 'exact', version: 1, state: {} }),
    };
    const factory = {
      name: 'exact',
      summary: 'exact',
      fit: async (series: { values: ArrayLike<number> }) => ((at = series.values.length), model),
      restore: () => model,
    };
    const scorer = createModelResidualScorer('exact', { step: 300 }, () => factory as never);
    const values = series(1200, -1);
    let last;
    for (let i = 0; i < values.length; i++) {
      last = scorer.score(i * 300, values[i]);
      await scorer.pending();
    }
    expect(last!.expected).toBeCloseTo(truth(1199), 9);
  });

  it('lstm fails clearly when the model is not registered', () => {
    expect(() => createModelResidualScorer('lstm', { step: 300 }, () => undefined)).toThrow(/not registered/);
  });
});
