/**
 * `ensemble`: per series, a weighted mean of the auto candidates with weights proportional to
 * the inverse of their tail-validation error (candidates more than twice as bad as the best
 * get no weight). Bands are calibrated on the validation errors of the combination itself.
 */
import type { FittedModel, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { WeightedModel, restoreWeighted, weightedErrors } from './weighted.js';
import { ModelError } from './types.js';
import { calibrateOnErrors, restoreCalibrated } from './calibration.js';
import { naiveFallback, restoreCandidate, validateCandidates } from './auto.js';

/** worse than this multiple of the best validation error: weight 0 */
const MAX_ERROR_RATIO = 2;

function restoreEnsembleMembers(serialized: SerializedModel): FittedModel {
  return restoreWeighted(serialized, restoreCandidate);
}

export const ensemble: ModelFactory = {
  name: 'ensemble',
  summary: 'inverse-validation-error weighted mean of the auto candidates, conformal bands',
  selfCalibrated: true,

  async fit(series: SeriesInput, options = {}) {
    const validated = await validateCandidates(series, options);
    if (!validated) return naiveFallback(series, 'ensemble');
    const { validations } = validated;
    const best = Math.min(...validations.map((v) => v.mae));
    const kept = validations.filter((v) => v.mae <= MAX_ERROR_RATIO * best);
    // a perfect candidate (error 0, e.g. a constant series) takes all the weight
    const raw = kept.map((v) => (best === 0 ? (v.mae === 0 ? 1 : 0) : 1 / v.mae));
    const total = raw.reduce((a, b) => a + b, 0);
    const members = kept.map((v, i) => ({ weight: raw[i] / total, model: v.fitted })).filter((m) => m.weight > 0);
    const used = kept.filter((_, i) => raw[i] > 0);
    const errors = weightedErrors(
      used.map((v) => v.errors),
      members.map((m) => m.weight),
    );
    return calibrateOnErrors(new WeightedModel(members, 'ensemble'), errors, series, {}, 'ensemble', 'ensemble');
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== 'ensemble')
      throw new ModelError('ensemble', `cannot restore state of ${serialized.model}`);
    return restoreCalibrated(serialized, restoreEnsembleMembers);
  },
};
