/** Every forecasting model by the name used in the config and in `cloudpulse forecast --model`. */
import type { ModelFactory } from './types.js';
import { seasonalNaive } from './seasonal-naive.js';

export const MODELS: Record<string, ModelFactory> = {
  seasonal_naive: seasonalNaive,
};

export function getModel(name: string): ModelFactory | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
}
