import { describe, expect, it } from 'vitest';
import { SampleQueue, type QueueEntry } from './queue.js';

const encoder = new TextEncoder();
/** an entry of `n` lines m{i="<tag>-k"} k */
function entry(tag: string, n: number, timestamp: number, stale = false): QueueEntry {
  const text = Array.from({ length: n }, (_, k) => `m{i="${tag}-${k}"} ${k}\n`).join('');
  return { text: encoder.encode(text), samples: n, timestamp, stale };
}

describe('SampleQueue', () => {
  it('gives back lines oldest first, across entries, in batches of at most max', () => {
    const q = new SampleQueue(100);
    q.push(entry('a', 3, 10));
    q.push(entry('b', 2, 20, true));
    expect(q.length).toBe(5);
    expect(q.take(4)).toEqual([
      { line: 'm{i="a-0"} 0', timestamp: 10, stale: false },
      { line: 'm{i="a-1"} 1', timestamp: 10, stale: false },
      { line: 'm{i="a-2"} 2', timestamp: 10, stale: false },
      { line: 'm{i="b-0"} 0', timestamp: 20, stale: true },
    ]);
    expect(q.length).toBe(1);
    expect(q.take(4).map((l) => l.line)).toEqual(['m{i="b-1"} 1']);
    expect(q.length).toBe(0);
    expect(q.oldestPushedAt).toBeUndefined();
  });

  it('drops the oldest samples when full, counts them, and keeps the newest', () => {
    const q = new SampleQueue(5);
    expect(q.push(entry('a', 3, 1))).toBe(0);
    expect(q.push(entry('b', 3, 2))).toBe(1); // a-0 goes
    expect(q.length).toBe(5);
    expect(q.push(entry('c', 4, 3))).toBe(4); // a-1, a-2, b-0, b-1 go
    expect(q.take(10).map((l) => l.line)).toEqual([
      'm{i="b-2"} 2',
      'm{i="c-0"} 0',
      'm{i="c-1"} 1',
      'm{i="c-2"} 2',
      'm{i="c-3"} 3',
    ]);
  });

  it('keeps only the newest lines of an entry larger than the whole queue', () => {
    const q = new SampleQueue(2);
    expect(q.push(entry('big', 5, 1))).toBe(3);
    expect(q.take(10).map((l) => l.line)).toEqual(['m{i="big-3"} 3', 'm{i="big-4"} 4']);
  });

  it('reports when its oldest sample was queued, for the batch deadline', () => {
    let now = 1000;
    const q = new SampleQueue(10, () => now);
    q.push(entry('a', 1, 1));
    now = 2000;
    q.push(entry('b', 1, 1));
    expect(q.oldestPushedAt).toBe(1000);
    q.take(1);
    expect(q.oldestPushedAt).toBe(2000);
  });

  it('stays correct through many pushes and takes (compaction)', () => {
    const q = new SampleQueue(1_000_000);
    let taken = 0;
    for (let i = 0; i < 5000; i++) {
      q.push(entry(String(i), 2, i));
      if (i % 3 === 0) taken += q.take(5).length;
    }
    expect(q.length).toBe(10_000 - taken);
    const rest = q.take(1_000_000);
    expect(rest.length).toBe(10_000 - taken);
    expect(rest.at(-1)).toEqual({ line: 'm{i="4999-1"} 1', timestamp: 4999, stale: false });
    expect(q.clear()).toBe(0);
  });

  it('counts what clear() drops', () => {
    const q = new SampleQueue(10);
    q.push(entry('a', 4, 1));
    q.take(1);
    expect(q.clear()).toBe(3);
    expect(q.length).toBe(0);
  });
});
