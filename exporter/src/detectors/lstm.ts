/**
 * `lstm`: the prediction error of the LSTM forecaster (registry model "lstm") scored with the
 * residual detector's likelihood machinery. Fails with a clear error when the model is missing.
 */
import type { DetectorFactory, ScorerOptions } from './types.js';
import type { ModelFactory } from '../models/types.js';
import { getModel } from '../models/index.js';
import { createResidualScorer } from './residual.js';
import { ModelPredictor } from './blocks/model-predictor.js';
import { OnlinePredictor } from './blocks/online-predictor.js';
import { seasonFor } from './blocks/series-grid.js';

/** residual scoring around any registry model; `lookup` is injectable for tests */
export function createModelResidualScorer(
  modelName: string,
  options: ScorerOptions,
  lookup: (name: string) => ModelFactory | undefined = getModel,
) {
  const factory = lookup(modelName);
  if (!factory) {
    throw new Error(
      `detector needs the "${modelName}" forecasting model, which is not registered in exporter/src/models/index.ts`,
    );
  }
  const day = Math.max(24, Math.round(86400 / options.step));
  const predictor = new ModelPredictor(
    factory,
    {
      step: options.step,
      seasonLengths: options.seasonLengths,
      warmup: Math.min(2 * day, 576),
      refitEvery: day,
      window: day * 7,
      seed: options.seed,
    },
    new OnlinePredictor({ season: seasonFor(options) }),
  );
  return createResidualScorer(options, {}, predictor);
}

export const lstm: DetectorFactory = {
  name: 'lstm',
  summary: 'prediction error of the LSTM forecaster as an anomaly likelihood',
  create: (options) => createModelResidualScorer('lstm', options),
  unavailable: () => getModel('lstm')?.unavailable?.(),
};
