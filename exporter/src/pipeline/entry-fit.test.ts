import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { MODELS } from '../models/index.js';
import { createLstm } from '../models/lstm.js';
import type { ModelFactory } from '../models/types.js';
import { testPipeline } from '../../test/fixtures/test-pipeline.js';

afterEach(() => delete (MODELS as Record<string, ModelFactory>).lstm_small);

describe('entry-wide fits (the global LSTM)', () => {
  it('trains one network for all label sets of the entry, across workers, and every series serves from it', async () => {
    // the real lstm, with a network small enough for a unit test
    (MODELS as Record<string, ModelFactory>).lstm_small = createLstm({
      window: 24,
      units: 4,
      epochs: 2,
      maxWindows: 128,
    });
    const config = parseConfig(
      `
source: {simulation: {instances: 4, seed: 3, anomalies: false}}
series:
  - {name: cpu, query: q, simulate: cpu, model: lstm_small, step: 5m, lookback: 2d, horizons: [5m, 1h], refit_interval: 1h}
`,
      't.yml',
    );
    const { pipeline, cycle, advance, calls } = testPipeline(config, { workers: 2 });
    await cycle();
    const records = () => [...pipeline.store.records()];
    expect(records()).toHaveLength(4);
    // one fit for the entry, not one per series
    expect(calls.fits).toBe(1);
    for (const r of records()) {
      expect(r.model?.name).toBe('lstm');
      expect(Array.from(r.forecast!.point).every(Number.isFinite)).toBe(true);
    }
    // between entry-wide refits new points only update the series models
    advance(300);
    await cycle();
    expect(calls.fits).toBe(1);
    expect(records().every((r) => r.forecast!.origin === r.lastT)).toBe(true);
    advance(3600);
    await cycle();
    expect(calls.fits).toBe(2);
  });
});
