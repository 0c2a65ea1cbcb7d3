/** Splitting a long range under Prometheus' point limit, and stitching the answers back. */
import { describe, expect, it } from 'vitest';
import { splitRange, stitchSeries } from './prometheus.js';

describe('splitRange', () => {
  it('keeps each chunk within the point limit and on the original grid', () => {
    const chunks = splitRange(0, 100, 1, 10);
    expect(chunks).toHaveLength(11); // 101 points
    expect(chunks[0]).toEqual({ start: 0, end: 9 });
    expect(chunks[1]).toEqual({ start: 10, end: 19 });
    expect(chunks.at(-1)).toEqual({ start: 100, end: 100 });
    expect(splitRange(0, 9, 1, 10)).toEqual([{ start: 0, end: 9 }]);
    // a week at 15s is 40,321 points: four requests, none over 11,000
    const week = splitRange(0, 7 * 86400, 15);
    expect(week).toHaveLength(4);
    for (const c of week) expect(Math.floor((c.end - c.start) / 15) + 1).toBeLessThanOrEqual(11_000);
  });

  it('handles fractional steps without drift and an end off the grid', () => {
    const chunks = splitRange(0, 10.2, 0.1, 50);
    expect(chunks.map((c) => c.start)).toEqual([0, 5, 10]);
    expect(chunks.at(-1)!.end).toBe(10.2);
  });
});

describe('stitchSeries', () => {
  it('merges by label set, orders by time and drops duplicated boundary points', () => {
    const out = stitchSeries([
      [{ labels: { i: 'a' }, timestamps: [1, 2, 3], values: [1, 2, 3] }],
      [
        { labels: { i: 'a' }, timestamps: [3, 4], values: [30, 4] },
        { labels: { i: 'b' }, timestamps: [3], values: [9] },
      ],
    ]);
    expect(out).toEqual([
      { labels: { i: 'a' }, timestamps: [1, 2, 3, 4], values: [1, 2, 30, 4] },
      { labels: { i: 'b' }, timestamps: [3], values: [9] },
    ]);
  });
});
