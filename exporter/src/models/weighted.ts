/**
 * A weighted mean of fitted models: points and band edges alike. The combination `auto` serves
 * (two candidates, equal weights) and the one `ensemble` serves (inverse-error weights); its
 * bands are replaced by conformal ones around it (calibration.ts).
 */
import type { FittedModel, ForecastResult, SerializedModel } from './types.js';
import { ModelError } from './types.js';

export interface Member {
  weight: number;
  model: FittedModel;
}

export class WeightedModel implements FittedModel {
  constructor(
    readonly members: Member[],
    /** the name it serialises under (`ensemble` for ensemble's, `weighted` for auto's) */
    readonly name = 'weighted',
  ) {}

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

export function restoreWeighted(
  serialized: SerializedModel,
  restoreMember: (member: SerializedModel) => FittedModel,
): WeightedModel {
  const state = serialized.state as { members?: { weight: number; model: SerializedModel }[] };
  if (!Array.isArray(state?.members)) throw new ModelError(serialized.model, 'state lacks members');
  return new WeightedModel(
    state.members.map((m) => ({ weight: m.weight, model: restoreMember(m.model) })),
    serialized.model,
  );
}

/** Signed errors of the weighted mean, origin by origin, from the members' (aligned) errors. */
export function weightedErrors(errors: number[][][], weights: number[]): number[][] {
  return errors[0].map((row, h) => row.map((_, i) => errors.reduce((s, e, c) => s + weights[c] * e[h][i], 0)));
}
