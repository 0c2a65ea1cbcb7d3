import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { RangeQuery, Source, SourceSeries } from '../sources/types.js';
import { loadChunks, type ChunkedLoad } from './chunked-load.js';

/** every chunk of a load, handed to `onChunk` as it arrives */
async function loadAll(source: Source, load: Omit<ChunkedLoad, 'query'>, onChunk: (chunk: SourceSeries[]) => void) {
  for await (const chunk of loadChunks(source, { ...load, query: 'x' })) onChunk(chunk);
}

/** a source that answers after a delay and records how many requests overlapped */
class SlowSource implements Source {
  readonly kind = 'slow';
  readonly simulated = false;
  local = false;
  inFlight = 0;
  maxInFlight = 0;
  readonly starts: number[] = [];
  constructor(
    private readonly series: number,
    private readonly fail?: number,
  ) {}
  async queryRange(q: RangeQuery): Promise<SourceSeries[]> {
    this.starts.push(q.start);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // later chunks answer sooner: the order of the answers must not matter
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, 20 - this.starts.length)));
    this.inFlight--;
    if (q.start === this.fail) throw new Error('chunk failed');
    const times: number[] = [];
    for (let t = q.start; t <= q.end; t += q.step) times.push(t);
    return Array.from({ length: this.series }, (_, i) => ({
      labels: { i: String(i) },
      timestamps: times,
      values: times.map(() => i),
    }));
  }
}

const entry = configSchema.parse({ series: [{ name: 'cpu', query: 'x', step: '1m' }] }).series[0];

describe('loadChunks', () => {
  it('keeps the next requests in flight and hands chunks on in time order', async () => {
    const source = new SlowSource(100);
    const got: number[] = [];
    await loadAll(source, { entry, start: 0, end: 60 * 999, sampleBudget: 2000 }, (chunk) =>
      got.push(chunk[0].timestamps[0], chunk[0].timestamps.at(-1)!),
    );
    expect(source.maxInFlight).toBe(2);
    // contiguous, in order, covering every point once
    expect(got[0]).toBe(0);
    expect(got.at(-1)).toBe(60 * 999);
    for (let i = 2; i < got.length; i += 2) expect(got[i]).toBe(got[i - 1] + 60);
  });

  it('asks a source on this thread (the simulation) for one chunk at a time', async () => {
    const source = new SlowSource(100);
    source.local = true;
    let chunks = 0;
    await loadAll(source, { entry, start: 0, end: 60 * 999, sampleBudget: 2000 }, () => chunks++);
    expect(chunks).toBeGreaterThan(10);
    expect(source.maxInFlight).toBe(1);
  });

  it('fails with the chunk that failed, and leaves no rejection unhandled', async () => {
    const source = new SlowSource(100, 60 * 32);
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(loadAll(source, { entry, start: 0, end: 60 * 999, sampleBudget: 2000 }, () => {})).rejects.toThrow(
        'chunk failed',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
