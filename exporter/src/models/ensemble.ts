/**
 * `ensemble`: per series, a weighted mean of the auto candidates with weights proportional to
 * the inverse of their tail-validation error (candidates more than twice as bad as the best
 * get no weight). Bands are calibrated on the validation errors of the combination itself.
 */
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { CalibratedModel, conformalTable, restoreCalibrated, tableFromModel } from './calibration.js';
import { naiveFallback, restoreCandidate, validateCandidates } from './auto.js';

/** worse than this multiple of the best validation error: weight 0 */
const MAX_ERROR_RATIO = 2;

interface Member {
  weight: number;
  model: FittedModel;
}

class WeightedModel implements FittedModel {
  readonly name = 'ensemble';
  constructor(readonly members: Member[]) {}

  get description(): string {
    return this.members.map((m) => `${m.weight.toFixed(2)}*${m.model.description}`).join(' + ');
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const parts = this.members.map((m) => ({ weight: m.weight, result: m.model.forecast(horizon, levels) }));
    const mix = (pick: (r: ForecastResult) => number[]): number[] =>
      Array.from({ length: horizon }, (_, i) => parts.reduce((s, p) => s + p.weight * pick(p.result)[i], 0));
    return {
      point: mix((r) => r.point),
      intervals: levels.map((level, k) => ({
        level,
        lower: mix((r) => r.intervals[k].lower),
        upper: mix((r) => r.intervals[k].upper),
      })),
    };
  }

  update(values: ArrayLike<number>): void {
    for (const m of this.members) m.model.update(values);
  }

  toJSON(): SerializedModel {
    return {
      model: this.name,
      version: 1,
      state: { members: this.members.map((m) => ({ weight: m.weight, model: m.model.toJSON() })) },
    };
  }
}

function restoreWeighted(serialized: SerializedModel): FittedModel {
  const state = serialized.state as { members?: { weight: number; model: SerializedModel }[] };
  if (!Array.isArray(state?.members)) throw new ModelError('ensemble', 'state lacks members');
  return new WeightedModel(state.members.map((m) => ({ weight: m.weight, model: restoreCandidate(m.model) })));
}

export const ensemble: ModelFactory = {
  name: 'ensemble',
  summary: 'inverse-validation-error weighted mean of the auto candidates, conformal bands',
  selfCalibrated: true,

  async fit(series: SeriesInput, options = {}) {
    const validated = await validateCandidates(series, options);
    if (!validated) return naiveFallback(series, 'ensemble');
    const { validations, plan } = validated;
    const best = Math.min(...validations.map((v) => v.mae));
    const kept = validations.filter((v) => v.mae <= MAX_ERROR_RATIO * best);
    // a perfect candidate (error 0, e.g. a constant series) takes all the weight
    const raw = kept.map((v) => (best === 0 ? (v.mae === 0 ? 1 : 0) : 1 / v.mae));
    const total = raw.reduce((a, b) => a + b, 0);
    const members = kept.map((v, i) => ({ weight: raw[i] / total, model: v.fitted })).filter((m) => m.weight > 0);
    const used = kept.filter((_, i) => raw[i] > 0);
    const errors = used[0].errors.map((row, h) =>
      row.map((_, i) => used.reduce((s, v, c) => s + members[c].weight * v.errors[h][i], 0)),
    );
    const combined = new WeightedModel(members);
    const table = conformalTable(errors) ?? tableFromModel(combined, plan.horizon);
    return new CalibratedModel(combined, table, 'ensemble', 'ensemble');
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== 'ensemble')
      throw new ModelError('ensemble', `cannot restore state of ${serialized.model}`);
    return restoreCalibrated(serialized, restoreWeighted);
  },
};
