import { describe, expect, it } from 'vitest';
import { adviseModel, configLines } from './backtest-advice.js';
import type { BacktestResponse } from './series-api.js';

function result(mase: Record<string, Array<number | null>>): BacktestResponse {
  const models = Object.keys(mase);
  const horizons = mase[models[0]].map((_, h) => ({
    horizon: 300 * (h + 1),
    steps: h + 1,
    command: '',
    models: models.map((model) => ({
      model,
      maseMean: mase[model][h],
      smape: 1,
      coverage: [0.8],
      msis: [3],
      fails: 0,
      fitMsMean: 1,
      scored: 5,
      forecasts: [],
    })),
  }));
  return {
    id: 'x{}',
    input: { start: 0, step: 300, length: 100, values: Array<number | null>(100).fill(1) },
    window: { from: 0, to: 1 },
    origins: 5,
    maxHistory: 2016,
    levels: [0.8],
    models,
    horizons,
    elapsedMs: 1,
    cached: false,
  };
}

describe('adviseModel', () => {
  it('suggests the best model by MASE over the horizons, with the config lines', () => {
    const advice = adviseModel(result({ auto: [0.9, 1.1], ets: [0.6, 0.8] }), 'node_cpu', 'auto');
    expect(advice.best).toBe('ets');
    expect(advice.bestMase).toBeCloseTo(0.7);
    expect(advice.configuredMase).toBeCloseTo(1.0);
    expect(advice.text).toMatch(/^ets did best here \(MASE averaged over 2 horizons 0\.700 against 1\.000 for auto\)/);
    expect(advice.config).toBe(configLines('node_cpu', 'ets'));
    expect(advice.config).toBe('series:\n  - name: node_cpu\n    model: ets');
  });

  it('changes nothing when the configured model is best or the gain is under 5%', () => {
    expect(adviseModel(result({ auto: [0.5], ets: [0.6] }), 'e', 'auto').config).toBeUndefined();
    const close = adviseModel(result({ auto: [1.0], ets: [0.97] }), 'e', 'auto');
    expect(close.best).toBe('ets');
    expect(close.config).toBeUndefined();
    expect(close.text).toMatch(/too little to switch/);
  });

  it('leaves out a model missing a horizon, and says when nothing was scored', () => {
    expect(adviseModel(result({ auto: [1, 1], ets: [0.1, null] }), 'e', 'auto').best).toBe('auto');
    expect(adviseModel(result({ auto: [null] }), 'e', 'auto')).toEqual({
      text: 'No model could be scored on this range.',
    });
  });
});
