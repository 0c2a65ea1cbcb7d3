import { describe, expect, it } from 'vitest';
import { AlertState, severityOf, scoreFromLogTail } from './blocks/severity.js';
import { logNormalTail, RepeatSuppressor } from './blocks/likelihood.js';
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
  it('maps log tails monotonically into [0,1]', () => {
    expect(scoreFromLogTail(0)).toBe(0);
    expect(scoreFromLogTail(Math.log(1e-5))).toBeCloseTo(0.9, 6);
    expect(logNormalTail(0)).toBeCloseTo(Math.log(0.5), 6);
    expect(logNormalTail(10)).toBeCloseTo(Math.log(7.62e-24), 1);
  });
});

describe('repeat suppression', () => {
  it('damps a repeat no larger than the recent peak, passes a larger one, forgets after many half-lives', () => {
    const r = new RepeatSuppressor(10);
    expect(r.update(-20)).toBe(-20);
    expect(r.update(-20)).toBeCloseTo(-10, 9);
    expect(r.update(-30)).toBe(-30);
    for (let i = 0; i < 200; i++) r.update(0);
    expect(r.update(-20)).toBe(-20);
    const copy = RepeatSuppressor.restore(JSON.parse(JSON.stringify(r.toJSON())));
    expect(copy.update(-15)).toBe(r.update(-15));
  });
});

describe('detectors', () => {
  it('lists every detector by name', () => {
    expect(Object.keys(DETECTORS).sort()).toEqual([
      'ensemble',
      'isolation_forest',
      'lstm',
      'random_forest',
      'residual',
    ]);
    expect(getDetector('nope')).toBeUndefined();
  });

  // isolation_forest is not in this list: points beyond the training range share one leaf, so a
  // spike ties with the largest earlier point (known weakness, see docs/benchmarks.md)
  it('isolation_forest puts an injected spike in its top 1% of scores', () => {
    const values = series(2400, 2000);
    const scorer = getDetector('isolation_forest')!.create({ step: 300, seed: 1 });
    const scores = values.map((v, i) => scorer.score(i * 300, v).score);
    const rank = scores.slice(1200).filter((s) => s > scores[2000]).length;
    expect(rank).toBeLessThan(12);
  });

  for (const name of ['residual', 'random_forest', 'ensemble']) {
    it(`${name} scores an injected spike above every earlier point after warm-up`, () => {
      const values = series(2400, 2000);
      const scorer = getDetector(name)!.create({ step: 300, seed: 1 });
      const scores = values.map((v, i) => scorer.score(i * 300, v).score);
      const before = Math.max(...scores.slice(1200, 2000));
      expect(scores[2000]).toBeGreaterThan(before);
      for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
    });
  }

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

  it('residual: restored state scores like the original', () => {
    const values = series(1500, 1400);
    const a = residual.create({ step: 300 });
    values.slice(0, 1000).forEach((v, i) => a.score(i * 300, v));
    const b = residual.restore!(JSON.parse(JSON.stringify(a.toJSON())), { step: 300 });
    for (let i = 1000; i < 1500; i++)
      expect(b.score(i * 300, values[i]).score).toBeCloseTo(a.score(i * 300, values[i]).score, 9);
  });

  it('residual: state saved before the window signals existed still restores', () => {
    const a = residual.create({ step: 300 });
    series(500, -1).forEach((v, i) => a.score(i * 300, v));
    const { window: _w, level: _l, ...old } = JSON.parse(JSON.stringify(a.toJSON()));
    const b = residual.restore!(old, { step: 300 });
    expect(Number.isFinite(b.score(500 * 300, 50).score)).toBe(true);
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
