// From sources (as vitest runs) a worker module is started through tsx's loader inside the worker;
// the compiled path is exercised by test/packaging.test.ts, which runs the packed exporter.
import { describe, expect, it } from 'vitest';
import { spawnModuleWorker, sourceUrl } from './worker-entry.js';
import { parseConfig } from '../config/load.js';
import { ingestOf } from '../pipeline/ingest-batch.js';
import { ThreadWorker } from '../pipeline/worker-handle.js';
import type { WorkerUpdate } from '../pipeline/worker-messages.js';

describe('spawnModuleWorker', () => {
  it('maps a .js module name to its .ts source and refuses other names', () => {
    expect(sourceUrl(new URL('file:///app/src/pipeline/fit-worker.js')).href).toBe(
      'file:///app/src/pipeline/fit-worker.ts',
    );
    expect(() => sourceUrl(new URL('file:///app/src/pipeline/fit-worker.ts'))).toThrow(/\.js specifier/);
  });

  it('runs the worker thread from TypeScript sources: points in, a fitted forecast out', async () => {
    const config = parseConfig(
      'series: [{name: cpu, query: q, model: seasonal_naive, step: 1h, lookback: 4d, horizons: [1h]}]',
      't.yml',
    );
    const updates: WorkerUpdate[] = [];
    const worker = new ThreadWorker(
      { config },
      { update: (u) => updates.push(u), lost: (e) => updates.push(e as never) },
    );
    try {
      const timestamps = Float64Array.from({ length: 96 }, (_, i) => 1.8e9 + i * 3600);
      const values = Float64Array.from({ length: 96 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24));
      worker.submit({
        type: 'ingest',
        entry: 'cpu',
        now: 1.8e9 + 96 * 3600,
        simulated: false,
        partial: false,
        batch: ingestOf('cpu', [{ labels: { a: '1' }, timestamps, values }]),
      });
      await worker.request({ type: 'idle' });
      const last = updates.flatMap((u) => u.records).at(-1)!;
      expect(last.model?.name).toBe('seasonal_naive');
      expect(last.forecast?.point.length).toBe(1);
      expect(updates.flatMap((u) => u.events).some((e) => e.kind === 'fit')).toBe(true);
    } finally {
      await worker.close();
    }
  });

  it('reports a worker module that fails to load as an error event', async () => {
    const worker = spawnModuleWorker(new URL('./no-such-worker.js', import.meta.url));
    const error = await new Promise<Error>((resolve) => worker.once('error', resolve));
    expect(error.message).toMatch(/no-such-worker/);
    await worker.terminate();
  });
});
