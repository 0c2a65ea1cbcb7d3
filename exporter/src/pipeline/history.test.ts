import { describe, expect, it } from 'vitest';
import { History } from './history.js';

const all = (h: History) => Array.from(h.slice());

describe('history', () => {
  it('writes older points in place: before the oldest, into gaps, never past its capacity', () => {
    const h = new History(60, 7);
    h.push(600, 10);
    h.push(660, 11);
    // two chunks of older points, oldest chunk first, with a missing point between them
    expect(h.writeOlder([300, 360], [5, 6])).toBe(2);
    expect(h.start).toBe(300);
    expect(all(h)).toEqual([5, 6, NaN, NaN, NaN, 10, 11]);
    expect(h.writeOlder([480, 540, 600], [8, 9, 99])).toBe(2); // 600 is already held
    expect(all(h)).toEqual([5, 6, NaN, 8, 9, 10, 11]);
    expect(h.writeOlder([240], [4])).toBe(0); // one slot past the capacity
    expect(h.lastT).toBe(660);
  });

  it('leaves out what is beyond the capacity or not finite', () => {
    const h = new History(60, 4);
    h.push(600, 1);
    expect(h.writeOlder([0, 420, 480, 540], [7, Infinity, NaN, 3])).toBe(1);
    expect(all(h)).toEqual([NaN, NaN, 3, 1]);
    expect(h.length).toBe(4);
    expect(new History(60, 4).writeOlder([0], [1])).toBe(0); // nothing held yet: nothing to be older than
  });

  it('keeps steps of a counter far from zero, through many turns of the ring (single precision)', () => {
    const h = new History(60, 100);
    h.push(0, NaN);
    for (let i = 1; i <= 1000; i++) h.push(i * 60, 1e12 + i * 3);
    const held = all(h);
    expect(held).toHaveLength(100);
    for (let i = 1; i < held.length; i++) expect(held[i] - held[i - 1]).toBe(3);
    expect(h.lastFinite()).toBe(1e12 + 3000);
  });

  it('holds ordinary values to single precision relative to the range, and gaps as gaps', () => {
    const h = new History(60, 50);
    const values = Array.from({ length: 120 }, (_, i) => (i % 7 === 0 ? NaN : 1e9 + Math.sin(i) * 1000 + i / 3));
    values.forEach((v, i) => h.push(i * 60, v));
    all(h).forEach((v, i) => {
      const want = values[values.length - 50 + i];
      if (Number.isNaN(want)) expect(v).toBeNaN();
      else expect(Math.abs(v - want)).toBeLessThan(2000 * 2 ** -23);
    });
  });
});
