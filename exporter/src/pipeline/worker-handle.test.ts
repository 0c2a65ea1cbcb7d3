import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { ingestOf } from './ingest-batch.js';
import { ThreadWorker } from './worker-handle.js';
import type { WorkerUpdate } from './worker-messages.js';

const config = parseConfig(
  'series: [{name: cpu, query: q, model: seasonal_naive, step: 1h, lookback: 4d, horizons: [1h]}]',
  't.yml',
);
const points = (n: number) => ({
  labels: { a: '1' },
  timestamps: Float64Array.from({ length: n }, (_, i) => 1.8e9 + i * 3600),
  values: Float64Array.from({ length: n }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24)),
});

describe('a worker on a worker thread', () => {
  it('reports a dead worker as lost and carries on with a new one', async () => {
    const updates: WorkerUpdate[] = [];
    const lost: Error[] = [];
    const worker = new ThreadWorker({ config }, { update: (u) => updates.push(u), lost: (e) => lost.push(e) });
    try {
      const now = 1.8e9 + 96 * 3600;
      worker.submit({
        type: 'ingest',
        entry: 'cpu',
        now,
        simulated: false,
        partial: false,
        batch: ingestOf('cpu', [points(96)]),
      });
      await worker.request({ type: 'idle' });
      // kill the thread behind the handle's back, as a crash in native code would
      await (worker as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(lost).toHaveLength(1);
      expect(lost[0].message).toMatch(/worker thread exited/);
      // the replacement takes new work (the pipeline backfills the lost series)
      updates.length = 0;
      worker.submit({
        type: 'ingest',
        entry: 'cpu',
        now,
        simulated: false,
        partial: false,
        batch: ingestOf('cpu', [points(96)]),
      });
      await worker.request({ type: 'idle' });
      expect(updates.flatMap((u) => u.records).at(-1)?.forecast?.point.length).toBe(1);
    } finally {
      await worker.close();
    }
  });
});
