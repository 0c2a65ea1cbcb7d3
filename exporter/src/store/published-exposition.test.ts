import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { gzipWithPrefix } from '../util/gzip-prefix.js';
import { SERIES_FAMILIES } from '../vocabulary.js';
import { PublishedExposition } from './published-exposition.js';
import type { SeriesRecord } from './record.js';
import { SeriesStore } from './series-store.js';

/** a record whose only line is `cloudpulse_actual{k="key"} value` */
function record(key: string, value: number): SeriesRecord {
  const line = new TextEncoder().encode(`cloudpulse_actual{k="${key}"} ${value}\n`);
  const actual = SERIES_FAMILIES.findIndex((f) => f.name === 'cloudpulse_actual');
  const offsets = new Uint32Array(SERIES_FAMILIES.length + 1);
  for (let f = actual + 1; f <= SERIES_FAMILIES.length; f++) offsets[f] = line.length;
  return {
    key,
    entry: 'e',
    labels: {},
    step: 60,
    simulated: false,
    lastT: 0,
    lastValue: value,
    accuracy: [],
    exposition: line,
    offsets,
  };
}

describe('published exposition', () => {
  it('publishes a change after the debounce, and scrapes in between share one snapshot', async () => {
    const store = new SeriesStore();
    store.put(record('a', 1));
    const published = new PublishedExposition(store, { debounceMs: 20, minIntervalMs: 0, maxAgeMs: 10_000 });
    const first = await published.current();
    expect(first.plain.toString()).toContain('cloudpulse_actual{k="a"} 1');
    store.put(record('a', 2));
    // within maxAge the newest snapshot is served at once, even if it is behind
    expect(await published.current()).toBe(first);
    await sleep(100);
    const second = await published.current();
    expect(second.plain.toString()).toContain('cloudpulse_actual{k="a"} 2');
    expect(gunzipSync(await gzipWithPrefix(second.deflated, Buffer.from('# EOF\n'))).toString()).toBe(
      second.plain.toString() + '# EOF\n',
    );
  });

  it('never serves a snapshot older than maxAge while the store keeps changing', async () => {
    const store = new SeriesStore();
    for (let i = 0; i < 3000; i++) store.put(record(`s${i}`, 0));
    const published = new PublishedExposition(store, { debounceMs: 10, minIntervalMs: 100, maxAgeMs: 200 });
    let value = 0;
    const changing = setInterval(() => store.put(record('s0', ++value)), 5);
    try {
      for (let k = 0; k < 10; k++) {
        await sleep(50);
        const s = await published.current();
        expect(performance.now() - s.takenAt).toBeLessThan(400);
        // whole lines of whole families: a snapshot is never torn by a change during assembly
        const lines = s.plain
          .toString()
          .split('\n')
          .filter((l) => l && !l.startsWith('#'));
        expect(lines).toHaveLength(3000);
      }
    } finally {
      clearInterval(changing);
    }
  });

  it('spaces snapshots by their cost: a small store publishes every change, a large one less often', async () => {
    const spacingOf = async (series: number) => {
      const store = new SeriesStore();
      for (let i = 0; i < series; i++) store.put(record(`s${i}`, 0));
      const published = new PublishedExposition(store, { debounceMs: 5, minIntervalMs: 60_000, costFactor: 20 });
      await published.current();
      const taken: number[] = [];
      for (let v = 1; v <= 4; v++) {
        store.put(record('s0', v));
        const start = performance.now();
        // wait until the change is published without asking for it (current() would force it after maxAge)
        while (!(await published.current()).plain.toString().includes(`cloudpulse_actual{k="s0"} ${v}`)) {
          await sleep(2);
          if (performance.now() - start > 30_000) throw new Error('never published');
        }
        taken.push(performance.now() - start);
      }
      return Math.max(...taken);
    };
    expect(await spacingOf(1)).toBeLessThan(200);
    // 30,000 series cost milliseconds per snapshot, so the next one waits twenty times that
    expect(await spacingOf(30_000)).toBeGreaterThan(await spacingOf(1));
  });

  it('answers a scrape while the store changes without pause, with a snapshot begun after it', async () => {
    const store = new SeriesStore();
    for (let i = 0; i < 3000; i++) store.put(record(`s${i}`, 0));
    const published = new PublishedExposition(store, { debounceMs: 10, minIntervalMs: 50, maxAgeMs: 0 });
    let value = 0;
    // a first load: records arrive faster than a snapshot of 3,000 series takes
    const changing = setInterval(() => {
      for (let k = 0; k < 20; k++) store.put(record(`s${k}`, ++value));
    }, 1);
    try {
      for (let k = 0; k < 5; k++) {
        // the newest snapshot is behind the store when the scrape comes
        store.put(record('s0', ++value));
        const asked = performance.now();
        const s = await published.current();
        expect(s.takenAt).toBeGreaterThanOrEqual(asked);
      }
    } finally {
      clearInterval(changing);
    }
  });
});

describe('published exposition on a short CPU', () => {
  it('serves the newest snapshot after maxWait when a fresher one is slow to assemble', async () => {
    const store = new SeriesStore();
    store.put(record('a', 1));
    // assembling takes 600 ms here, as a large store does when other processes hold the cores
    const slow = Object.create(store) as SeriesStore;
    slow.assemble = async (pause) => {
      await sleep(600);
      return store.assemble(pause);
    };
    const published = new PublishedExposition(slow, { debounceMs: 60_000, maxAgeMs: 0, maxWaitMs: 100 });
    const first = await published.current();
    store.put(record('a', 2));
    const asked = performance.now();
    const served = await published.current();
    expect(performance.now() - asked).toBeLessThan(400);
    expect(served).toBe(first);
    // the fresher snapshot still lands, and the next scrape gets it
    await sleep(800);
    expect((await published.current()).plain.toString()).toContain('cloudpulse_actual{k="a"} 2');
  });
});
