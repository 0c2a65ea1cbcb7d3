import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import type { ModelChoiceResponse } from '../../view/series-api.js';
import { testApp } from '../../../test/fixtures/test-app.js';

const CONFIG = `
source: {simulation: {instances: 2, seed: 5, history: 3d, anomalies: false}}
series:
  - {name: cpu, query: q, simulate: cpu, lookback: 3d, horizons: [15m, 1h]}
  - {name: mem, query: q, simulate: memory, model: ets, lookback: 3d, horizons: [15m]}
`;

describe('GET /api/v1/series/:id/model', () => {
  it("gives auto's candidates with their validation errors, and says why there are none for a fixed model", async () => {
    const { app, pipeline } = await testApp(parseConfig(CONFIG, 't.yml'));
    try {
      await pipeline.runCycle();
      await pipeline.whenIdle();
      const auto = (
        await app.inject(`/api/v1/series/${encodeURIComponent('cpu{instance="sim-0:9100",job="node"}')}/model`)
      ).json<ModelChoiceResponse>();
      expect(auto.requested).toBe('auto');
      expect(auto.description).toMatch(/^auto: /);
      const v = auto.validation!;
      // a day of 5-minute validation (capped at a third of three days), 4 hours ahead every half hour
      expect([v.window, v.horizon, v.stride, v.earlySteps]).toEqual([288, 48, 6, 12]);
      expect(v.candidates.map((c) => c.name)).toEqual([
        'naive',
        'seasonal_naive',
        'ets',
        'sarima',
        'recent_median',
        'median_reversion',
      ]);
      for (const c of v.candidates) {
        expect(c.fullError).toBeGreaterThan(0);
        expect(c.earlyError).toBeGreaterThan(0);
      }
      // what auto serves after its first hour is the candidate of least error over the whole horizon
      const best = [...v.candidates].sort((a, b) => a.fullError! - b.fullError!)[0].name;
      expect(auto.description).toMatch(new RegExp(`(then|auto:) (mean of )?${best} `));
      const fixed = (
        await app.inject(`/api/v1/series/${encodeURIComponent('mem{instance="sim-0:9100",job="node"}')}/model`)
      ).json<ModelChoiceResponse>();
      expect(fixed).toMatchObject({ requested: 'ets', serving: 'ets', validation: null });
      expect(fixed.note).toMatch(/asks for ets/);
    } finally {
      await app.close();
    }
  });
});
