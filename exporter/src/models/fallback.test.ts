import { describe, expect, it } from 'vitest';
import { fallbackChain, fitWithFallback } from './fallback.js';
import { getModel } from './index.js';
import { forecastProblem } from './forecast-check.js';
import { ModelError } from './types.js';

const STEP = 300;
const input = (values: number[]) => ({ values, step: STEP, start: 1_700_000_000 });

describe('fitWithFallback', () => {
  it('serves the requested model when it forecasts', async () => {
    const fit = await fitWithFallback('ets', input(Array.from({ length: 600 }, (_, i) => 50 + 10 * Math.sin(i / 20))));
    expect(fit.served).toBe('ets');
    expect(fit.fellBackFrom).toBeUndefined();
    expect(fit.model.name).toBe('ets');
  });

  it('falls back along a fixed chain ending in the last value, and says why', async () => {
    expect(fallbackChain('ets')).toEqual(['ets', 'auto', 'seasonal_naive']);
    expect(fallbackChain('auto')).toEqual(['auto', 'seasonal_naive']);
    expect(fallbackChain('seasonal_naive')).toEqual(['seasonal_naive', 'auto', 'seasonal_naive']);
    // augurs MSTL refuses fewer than 8 points; auto answers from its short-history fallback
    const fit = await fitWithFallback('mstl', input([3, 4, 5, 4, 3]));
    expect(fit.fellBackFrom).toBe('mstl');
    expect(fit.served).toBe('auto');
    expect(fit.reason).toMatch(/^mstl: needs at least 8 points/);
    expect(forecastProblem([3, 4, 5, 4, 3], fit.model.forecast(48, [0.8, 0.95]))).toBeUndefined();
    const unknown = await fitWithFallback('no_such_model', input([1, 2, 3, 2, 1, 2]));
    expect(unknown.served).toBe('auto');
    expect(unknown.reason).toBe('no_such_model: no such model');
  });

  it('restores what it served under its registered name', async () => {
    const fit = await fitWithFallback('mstl', input([3, 4, 5, 4, 3]));
    const state = JSON.parse(JSON.stringify(fit.model.toJSON()));
    const again = getModel(state.model)!.restore(state);
    expect(again.forecast(12, [0.8])).toEqual(fit.model.forecast(12, [0.8]));
  });

  it('throws only when nothing can be forecast', async () => {
    await expect(fitWithFallback('ets', input([NaN, NaN]))).rejects.toThrow(ModelError);
  });
});
