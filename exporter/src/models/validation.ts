/**
 * Rolling-origin validation on a series' own tail, the way `auto` chooses and calibrates: each
 * candidate is fitted once on the history before the window, then absorbs the window with
 * `update()`, forecasting `horizon` steps every `stride` points. Cheap (one fit per candidate)
 * and causal (every forecast uses only points before its origin). Pure: no I/O, no clock.
 */
import type { FitOptions, FittedModel, ModelFactory } from './types.js';

export interface TailCandidate {
  name: string;
  factory: ModelFactory;
  fitOptions?: FitOptions;
}

export interface TailValidation {
  name: string;
  /** fitted on the history before the validation window, then updated through to the end */
  fitted: FittedModel;
  /**
   * errors[h - 1][k] = signed error (actual - point) of the h-step forecast from the k-th origin,
   * oldest first; NaN where the actual is a gap or lies past the end
   */
  errors: number[][];
  /** mean absolute error over all origins and steps */
  mae: number;
}

export interface TailPlan {
  /** validated horizon in steps */
  horizon: number;
  /** validation window in steps (the last `window` points) */
  window: number;
  /** steps between validation origins */
  stride: number;
  /** grid step in seconds and unix seconds of values[0], passed to the candidates */
  step: number;
  start: number;
}

/** Candidates that throw or forecast non-finite values are dropped. */
export async function validateOnTail(
  values: ArrayLike<number>,
  candidates: TailCandidate[],
  plan: TailPlan,
): Promise<TailValidation[]> {
  const n = values.length;
  const cut = n - plan.window;
  const head = copyOf(values, 0, cut);
  const out: TailValidation[] = [];
  for (const c of candidates) {
    try {
      const fitted = await c.factory.fit({ values: head, step: plan.step, start: plan.start }, c.fitOptions);
      out.push({ name: c.name, fitted, ...walkForward(fitted, values, cut, plan) });
    } catch {
      // a failing candidate is skipped; the caller falls back when none is left
    }
  }
  return out;
}

/**
 * Forecast from `from` to the end of `values` every `stride` points and absorb the points
 * between origins; returns the signed errors by step ahead. Throws on a non-finite forecast.
 */
export function walkForward(
  fitted: FittedModel,
  values: ArrayLike<number>,
  from: number,
  plan: Pick<TailPlan, 'horizon' | 'stride'>,
): { errors: number[][]; mae: number } {
  const n = values.length;
  const errors: number[][] = Array.from({ length: plan.horizon }, () => []);
  let sum = 0;
  let count = 0;
  for (let o = from; o < n; o += plan.stride) {
    const { point } = fitted.forecast(plan.horizon, []);
    for (let h = 1; h <= plan.horizon; h++) {
      if (!Number.isFinite(point[h - 1])) throw new Error('non-finite forecast');
      const actual = o + h - 1 < n ? values[o + h - 1] : NaN;
      const e = actual - point[h - 1];
      errors[h - 1].push(e);
      if (e === e) {
        sum += Math.abs(e);
        count++;
      }
    }
    fitted.update(copyOf(values, o, Math.min(o + plan.stride, n)));
  }
  return { errors, mae: count > 0 ? sum / count : NaN };
}

/** values[from..to) as a plain array: a loop, where Array.from with a callback or a generic slice of a typed array walks it slowly */
function copyOf(values: ArrayLike<number>, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = values[i];
  return out;
}
