import { describe, expect, it } from 'vitest';
import { ContextMemory, asKey, mixHash } from './blocks/context-memory.js';
import { contextual, createContextualScorer } from './contextual.js';
import { residualContextual } from './residual-contextual.js';
import { residual } from './residual.js';
import { seededRandom } from '../util/random.js';

/** a repeating shape of `period` points with a little noise, 5-minute steps */
function pattern(n: number, period = 12, seed = 5): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => 10 * ((i % period) / period) + 0.05 * random());
}

const scoresOf = (values: number[], step = 300, create = contextual.create) => {
  const scorer = create({ step });
  return values.map((v, i) => scorer.score(i * step, v).score);
};

describe('context memory', () => {
  it('counts sightings and answers 0 for keys never seen', () => {
    const m = new ContextMemory(64);
    expect(m.add(asKey(mixHash(1, 7)))).toBe(0);
    expect(m.add(asKey(mixHash(1, 7)))).toBe(1);
    expect(m.count(asKey(mixHash(1, 7)))).toBe(2);
    expect(m.count(asKey(mixHash(1, 8)))).toBe(0);
  });

  it('stays within its capacity: far more keys than slots keep the frequent ones', () => {
    const m = new ContextMemory(256);
    const frequent = asKey(mixHash(2, 1));
    for (let i = 0; i < 20_000; i++) {
      m.add(asKey(mixHash(3, i)));
      if (i % 4 === 0) m.add(frequent);
    }
    expect(m.count(frequent)).toBeGreaterThan(0);
    const remembered = Array.from({ length: 20_000 }, (_, i) => m.count(asKey(mixHash(3, i))) > 0).filter(Boolean);
    expect(remembered.length).toBeLessThanOrEqual(256);
  });

  it('hashes numbers of any magnitude apart', () => {
    const keys = new Set([0, 1, -1, 2 ** 31, 2 ** 32, 2 ** 40, -(2 ** 40), 1e15].map((x) => mixHash(9, x)));
    expect(keys.size).toBe(8);
  });

  it('rejects a capacity that is not a power of two', () => {
    expect(() => new ContextMemory(1000)).toThrow(/power of two/);
  });
});

describe('contextual', () => {
  it('a familiar sequence scores 0 once learnt; the same values in a new order score high', () => {
    const values = pattern(1200);
    // the shape run backwards for one period: every value is familiar, no transition is
    const reversed = values.map((v, i) => (i >= 1000 && i < 1012 ? values[1011 - (i - 1000)] : v));
    const scores = scoresOf(reversed);
    expect(Math.max(...scores.slice(600, 1000))).toBe(0);
    expect(Math.max(...scores.slice(1000, 1012))).toBeGreaterThan(0.9);
  });

  it('a value never reached scores above every earlier point after warm-up', () => {
    const values = pattern(1200).map((v, i) => (i === 1100 ? 30 : v));
    const scores = scoresOf(values);
    expect(scores[1100]).toBeGreaterThan(Math.max(...scores.slice(200, 1100)));
  });

  it('is scale-free: a series times 1024 or shifted by a multiple of its quantum scores the same', () => {
    const values = pattern(900).map((v, i) => (i === 800 ? 25 : v));
    const base = scoresOf(values);
    expect(scoresOf(values.map((v) => v * 1024))).toEqual(base);
    expect(scoresOf(values.map((v) => v + 1024))).toEqual(base);
  });

  it('scores nothing in its warm-up and nothing on a constant series', () => {
    const scores = scoresOf(pattern(400));
    expect(Math.max(...scores.slice(0, 151))).toBe(0);
    expect(Math.max(...scoresOf(Array.from({ length: 500 }, () => 7)))).toBe(0);
  });

  it('takes irregular steps and repeated timestamps as they come, and starts anew after a long gap', () => {
    const values = pattern(1200);
    const random = seededRandom(2);
    const scorer = createContextualScorer({ step: 300 });
    let t = 0;
    const scores: number[] = [];
    for (let i = 0; i < values.length; i++) {
      // 5-15 minute steps, a few repeated timestamps, and a day without data at 700
      t += i === 700 ? 86400 : i % 97 === 0 ? 0 : 300 * (1 + Math.floor(random() * 3));
      scores.push(scorer.score(t, values[i]).score);
    }
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    // the context runs restart after the gap: the familiar shape stays familiar
    expect(Math.max(...scores.slice(720, 1200))).toBe(0);
  });

  it('residual_contextual scores each point as the larger of its members', () => {
    const values = pattern(1200).map((v, i) => (i === 1100 ? 30 : v));
    const pair = scoresOf(values, 300, residualContextual.create);
    const members = [scoresOf(values, 300, residual.create), scoresOf(values)];
    expect(pair).toEqual(pair.map((_, i) => Math.max(members[0][i], members[1][i])));
  });
});
