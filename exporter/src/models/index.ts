/** Every forecasting model by the name used in the config and in `cloudpulse forecast --model`. */
import type { ModelFactory } from './types.js';
import { seasonalNaive } from './seasonal-naive.js';
import { ets } from './ets.js';
import { sarima } from './sarima.js';
import { auto } from './auto.js';
import { ensemble } from './ensemble.js';
import { mstl } from './mstl.js';
import { prophet } from './prophet.js';
import { lstm } from './lstm.js';

export const MODELS: Record<string, ModelFactory> = {
  seasonal_naive: seasonalNaive,
  ets,
  sarima,
  auto,
  ensemble,
  mstl,
  prophet,
  lstm,
};

export function getModel(name: string): ModelFactory | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
}
