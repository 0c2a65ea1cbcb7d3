/**
 * The conformance suite every detector in DETECTORS passes: causal (truncation check),
 * deterministic, scores in [0,1] with flags and severities consistent with the threshold,
 * survives NaN, gaps and constant series, JSON-serialisable summary, and state that restores
 * when a detector offers `restore`. Hourly steps keep the model-backed detector's fits small.
 */
import { describe, expect, it } from 'vitest';
import { DETECTORS } from './index.js';
import type { Detection, DetectorFactory, ScorerOptions } from './types.js';
import { seededRandom } from '../util/random.js';

const STEP = 3600;
const THRESHOLD = 0.9;

/** a daily cycle at hourly steps with noise, a spike and a shift */
function series(n: number, seed = 3): number[] {
  const random = seededRandom(seed);
  return Array.from(
    { length: n },
    (_, i) =>
      50 +
      10 * Math.sin((2 * Math.PI * i) / 24) +
      4 * (random() - 0.5) +
      (i === Math.floor(n * 0.8) ? 60 : 0) +
      (i > n * 0.9 ? 15 : 0),
  );
}

async function run(
  detector: DetectorFactory,
  points: [number, number][],
  options: Partial<ScorerOptions> = {},
): Promise<Detection[]> {
  const scorer = detector.create({ step: STEP, threshold: THRESHOLD, seed: 1, ...options });
  const out: Detection[] = [];
  for (const [t, v] of points) {
    out.push(scorer.score(t, v));
    await scorer.pending?.();
  }
  JSON.stringify(scorer.toJSON());
  return out;
}

const grid = (values: number[], from = 0): [number, number][] => values.map((v, i) => [(from + i) * STEP, v]);

/** a model-backed detector refits a neural network every simulated day: a shorter series keeps it to seconds */
const SLOW = new Set(['lstm']);

describe.each(Object.entries(DETECTORS))('detector %s', (name, detector) => {
  // 24 days of hourly points (12.5 for a slow one): past every warm-up and several daily refits
  const n = SLOW.has(name) ? 300 : 576;
  const values = series(n);

  it('is causal: the scores of rows 0..i do not change when later rows are removed', async () => {
    const full = (await run(detector, grid(values))).map((d) => d.score);
    for (const cut of [Math.round(n * 0.35), Math.round(n * 0.8) + 1, Math.round(n * 0.9)]) {
      const part = (await run(detector, grid(values.slice(0, cut)))).map((d) => d.score);
      expect(part, `${name} cut at ${cut}`).toEqual(full.slice(0, cut));
    }
  }, 60_000);

  it('is deterministic and keeps scores, flags and severities consistent', async () => {
    const a = await run(detector, grid(values));
    const b = await run(detector, grid(values));
    expect(b).toEqual(a);
    for (const d of a) {
      expect(d.score).toBeGreaterThanOrEqual(0);
      expect(d.score).toBeLessThanOrEqual(1);
      if (d.score >= THRESHOLD) expect(d.isAnomaly).toBe(true);
      expect(d.isAnomaly ? d.severity >= 1 : d.severity === 0).toBe(true);
    }
    // the injected spike is the most surprising point after warm-up
    const spike = Math.floor(values.length * 0.8);
    const before = Math.max(...a.slice(Math.round(n * 0.52), spike).map((d) => d.score));
    expect(a[spike].score, name).toBeGreaterThan(before);
  }, 60_000);

  it('survives NaN, gaps, out-of-order and constant series', async () => {
    const holes = grid(values.map((v, i) => (i % 37 === 5 ? NaN : v)));
    const gaps = grid(values).filter((_, i) => i % 50 > 3 || i < 100);
    const shuffled = grid(values.slice(0, Math.round(n / 2)));
    [shuffled[100], shuffled[101]] = [shuffled[101], shuffled[100]];
    for (const points of [holes, gaps, shuffled, grid(values.map(() => 42))]) {
      for (const d of await run(detector, points)) {
        expect(Number.isFinite(d.score)).toBe(true);
        expect(d.score >= 0 && d.score <= 1).toBe(true);
      }
    }
    const flat = await run(detector, grid(values.map(() => 42)));
    expect(flat.some((d) => d.isAnomaly)).toBe(false);
  }, 60_000);

  it('restores its state if it persists any, else keeps toJSON a small summary', async () => {
    const a = detector.create({ step: STEP, threshold: THRESHOLD, seed: 1 });
    for (const [t, v] of grid(values.slice(0, Math.round(n * 0.7)))) {
      a.score(t, v);
      await a.pending?.();
    }
    const saved = JSON.stringify(a.toJSON());
    if (!detector.restore) {
      // nothing to restore from: the scorer rebuilds from history after a restart
      expect(saved.length).toBeLessThan(2000);
      return;
    }
    const b = detector.restore(JSON.parse(saved), { step: STEP, threshold: THRESHOLD, seed: 1 });
    const at = Math.round(n * 0.7);
    for (const [t, v] of grid(values.slice(at), at)) expect(b.score(t, v)).toEqual(a.score(t, v));
  }, 60_000);
});
