/**
 * Every forecasting model by the name used in the config and in `cloudpulse forecast --model`.
 * Each is served with the series' width floor (width-floor.ts): no band narrower than the data
 * can be read.
 */
import type { ModelFactory } from './types.js';
import { seasonalNaive } from './seasonal-naive.js';
import { ets } from './ets.js';
import { sarima } from './sarima.js';
import { auto } from './auto.js';
import { ensemble } from './ensemble.js';
import { mstl } from './mstl.js';
import { prophet } from './prophet.js';
import { lstm } from './lstm.js';
import { withWidthFloor } from './width-floor.js';

export const MODELS: Record<string, ModelFactory> = {
  seasonal_naive: withWidthFloor(seasonalNaive),
  ets: withWidthFloor(ets),
  sarima: withWidthFloor(sarima),
  auto: withWidthFloor(auto),
  ensemble: withWidthFloor(ensemble),
  mstl: withWidthFloor(mstl),
  prophet: withWidthFloor(prophet),
  lstm: withWidthFloor(lstm),
};

export function getModel(name: string): ModelFactory | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
}
