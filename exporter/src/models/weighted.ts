/**
 * A weighted mean of fitted models: points and band edges alike. The combination `auto` serves
 * (equal weights on its choice; optionally other weights for the first steps, its pick for the
 * first hour) and the one `ensemble` serves (inverse-error weights); its bands are replaced by
 * conformal ones around it (calibration.ts). Each member is forecast and updated once, however
 * many of the weight sets use it.
 */
import type { FittedModel, ForecastResult, SerializedModel } from './types.js';
import { ModelError } from './types.js';

export interface Member {
  weight: number;
  model: FittedModel;
}

/** Other weights (one per member, in order) for steps 1..`steps`. */
export interface EarlyWeights {
  steps: number;
  weights: number[];
}

export class WeightedModel implements FittedModel {
  constructor(
    readonly members: Member[],
    /** the name it serialises under (`ensemble` for ensemble's, `weighted` for auto's) */
    readonly name = 'weighted',
    readonly early?: EarlyWeights,
  ) {}

  get description(): string {
    const mix = (weights: number[]) =>
      this.members
        .map((m, i) => ({ w: weights[i], d: m.model.description }))
        .filter((m) => m.w > 0)
        .map((m) => `${m.w.toFixed(2)}*${m.d}`)
        .join(' + ');
    const late = mix(this.members.map((m) => m.weight));
    return this.early ? `${mix(this.early.weights)} for ${this.early.steps} steps, then ${late}` : late;
  }

  /** the weight of member `i` at step `h` (1-based) */
  weightAt(i: number, h: number): number {
    return this.early && h <= this.early.steps ? this.early.weights[i] : this.members[i].weight;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const parts = this.members.map((m) => m.model.forecast(horizon, levels));
    const mix = (pick: (r: ForecastResult) => number[]): number[] =>
      Array.from({ length: horizon }, (_, i) => parts.reduce((s, p, c) => s + this.weightAt(c, i + 1) * pick(p)[i], 0));
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
    const members = this.members.map((m) => ({ weight: m.weight, model: m.model.toJSON() }));
    return { model: this.name, version: 1, state: this.early ? { members, early: this.early } : { members } };
  }
}

export function restoreWeighted(
  serialized: SerializedModel,
  restoreMember: (member: SerializedModel) => FittedModel,
): WeightedModel {
  const state = serialized.state as { members?: { weight: number; model: SerializedModel }[]; early?: EarlyWeights };
  if (!Array.isArray(state?.members)) throw new ModelError(serialized.model, 'state lacks members');
  const early = state.early;
  if (early && (!Array.isArray(early.weights) || early.weights.length !== state.members.length)) {
    throw new ModelError(serialized.model, 'early weights do not match the members');
  }
  return new WeightedModel(
    state.members.map((m) => ({ weight: m.weight, model: restoreMember(m.model) })),
    serialized.model,
    early && { steps: early.steps, weights: [...early.weights] },
  );
}

/**
 * Signed errors of the weighted mean, origin by origin, from the members' (aligned) errors;
 * `early` weights apply to the first steps as in the served model.
 */
export function weightedErrors(errors: number[][][], weights: number[], early?: EarlyWeights): number[][] {
  return errors[0].map((row, h) => {
    const w = early && h + 1 <= early.steps ? early.weights : weights;
    return row.map((_, i) => errors.reduce((s, e, c) => s + (w[c] === 0 ? 0 : w[c] * e[h][i]), 0));
  });
}
