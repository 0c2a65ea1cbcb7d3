// From sources (as vitest runs) a worker module is started through tsx's loader inside the worker;
// the compiled path is exercised by test/packaging.test.ts, which runs the packed exporter.
import { describe, expect, it } from 'vitest';
import { spawnModuleWorker, sourceUrl } from './worker-entry.js';
import { WorkerFitter } from '../pipeline/fitter.js';

describe('spawnModuleWorker', () => {
  it('maps a .js module name to its .ts source and refuses other names', () => {
    expect(sourceUrl(new URL('file:///app/src/pipeline/fit-worker.js')).href).toBe(
      'file:///app/src/pipeline/fit-worker.ts',
    );
    expect(() => sourceUrl(new URL('file:///app/src/pipeline/fit-worker.ts'))).toThrow(/\.js specifier/);
  });

  it('runs the fit worker from TypeScript sources', async () => {
    const fitter = new WorkerFitter(1);
    try {
      const values = Array.from({ length: 96 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24));
      const response = await fitter.fit({ model: 'seasonal_naive', values, start: 0, step: 3600, seasonLengths: [24] });
      expect(response.state.model).toBe('seasonal_naive');
      expect(response.seconds).toBeGreaterThanOrEqual(0);
    } finally {
      await fitter.close();
    }
  });

  it('reports a worker module that fails to load as an error event', async () => {
    const worker = spawnModuleWorker(new URL('./no-such-worker.js', import.meta.url));
    const error = await new Promise<Error>((resolve) => worker.once('error', resolve));
    expect(error.message).toMatch(/no-such-worker/);
    await worker.terminate();
  });
});
