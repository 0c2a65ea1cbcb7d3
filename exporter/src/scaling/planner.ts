/**
 * The capacity planner: turns one series' forecast into the scale metric, the load the workload
 * must be able to serve until pods started now are ready. Both `cloudpulse plan` and the live
 * KEDA external scaler call `planScaleMetric`, so the offline replay and the cluster scale on the
 * same number. Pure: no I/O, no clock; the caller passes the previous value for step limits.
 *
 *   peak   = max over forecast steps 1..ceil(leadTime / step) of the band's upper bound at
 *            `level` (or the point forecast when no level is given)
 *   base   = max(observed, peak)                 never below the load seen now
 *   value  = base * (1 + headroom)
 *   value  = clamp(value, previous * (1 - maxStepDown), previous * maxStepUp)   when previous is given
 *   value  = clamp(value, min, max)
 *
 * With `metricType: AverageValue` and a per-replica target N, the HPA's desired replicas are
 * ceil(value / N). The step limits follow Kedastral's planner (a growth factor up, a fraction of
 * the previous value down) but act on the metric rather than on replicas, so they compose with
 * whatever target the ScaledObject sets.
 *
 * Call it once per new observation (one forecast origin) and pass the value it returned for the
 * previous origin as `previous`: the step limits are per series step. KEDA asks every 15 s, more
 * often than a series steps, so the live scaler answers from the plan cached for the current
 * origin instead of re-planning (which would apply a step limit several times per step).
 */

/** What the store holds per series: the last observation and the forecast made from it. */
export interface PlannerInput {
  /** the last observed load (NaN when the last point is a gap) */
  observed: number;
  /** seconds between forecast steps (the series' step) */
  step: number;
  /** forecast for steps 1..H after the last observation; absent when no model is ready */
  forecast?: {
    point: ArrayLike<number>;
    intervals: { level: number; lower: ArrayLike<number>; upper: ArrayLike<number> }[];
  };
}

export interface PlannerPolicy {
  /** seconds from now until capacity requested now serves load (pod start-up + HPA sync + scrape) */
  leadTime: number;
  /** take the upper bound of the band at this level (e.g. 0.8); omitted: the point forecast */
  level?: number;
  /** extra capacity as a fraction of the load, e.g. 0.1 for 10%; default 0 */
  headroom?: number;
  /** floor and ceiling of the scale metric, in the series' unit */
  min?: number;
  max?: number;
  /** at most this factor above the previous value (>= 1, e.g. 2 = may double) */
  maxStepUp?: number;
  /** at most this fraction below the previous value (in [0, 1], e.g. 0.5 = may halve) */
  maxStepDown?: number;
}

export type PlanLimit = 'none' | 'step_up' | 'step_down' | 'min' | 'max';

export interface Plan {
  /** the scale metric; NaN when neither an observation nor a forecast is available */
  value: number;
  /** the forecast's peak over the lead window (NaN without a usable forecast) */
  peak: number;
  /** forecast steps inside the lead window */
  leadSteps: number;
  /** forecast steps the window wanted but the forecast did not have */
  missingSteps: number;
  /** which limit, if any, changed the value */
  limitedBy: PlanLimit;
}

/** A policy or input the planner cannot use; `key` names the policy field (scaler metadata maps to it). */
export class PlannerError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'PlannerError';
  }
}

/** Forecast steps that fall inside [now, now + leadTime]; a partial step counts (err on the safe side). */
export function leadSteps(leadTime: number, step: number): number {
  return Math.max(0, Math.ceil(leadTime / step - 1e-9));
}

/**
 * The `maxStepDown` that lets the metric fall to half in `halfLife` seconds at this step, so a
 * scale-down pace set in time means the same at any series step.
 */
export function stepDownForHalfLife(halfLife: number, step: number): number {
  return halfLife > 0 ? 1 - 0.5 ** (step / halfLife) : 1;
}

/** Throws PlannerError naming the first bad field. */
export function checkPolicy(policy: PlannerPolicy): void {
  const { leadTime, level, headroom, min, max, maxStepUp, maxStepDown } = policy;
  if (!(Number.isFinite(leadTime) && leadTime >= 0))
    throw new PlannerError('leadTime', `expected seconds >= 0, got ${leadTime}`);
  if (level !== undefined && !(level > 0 && level < 1))
    throw new PlannerError('level', `expected a level in (0, 1), got ${level}`);
  if (headroom !== undefined && !(Number.isFinite(headroom) && headroom >= 0)) {
    throw new PlannerError('headroom', `expected a fraction >= 0, got ${headroom}`);
  }
  if (min !== undefined && !Number.isFinite(min)) throw new PlannerError('min', `expected a number, got ${min}`);
  if (max !== undefined && !Number.isFinite(max)) throw new PlannerError('max', `expected a number, got ${max}`);
  if (min !== undefined && max !== undefined && min > max)
    throw new PlannerError('max', `expected max >= min (${min}), got ${max}`);
  if (maxStepUp !== undefined && !(maxStepUp >= 1 && maxStepUp < Infinity)) {
    throw new PlannerError('maxStepUp', `expected a factor >= 1, got ${maxStepUp}`);
  }
  if (maxStepDown !== undefined && !(maxStepDown >= 0 && maxStepDown <= 1)) {
    throw new PlannerError('maxStepDown', `expected a fraction in [0, 1], got ${maxStepDown}`);
  }
}

/** The series the planner reads: the band's upper bound at `level`, or the point forecast. */
function chosenSeries(forecast: NonNullable<PlannerInput['forecast']>, level: number | undefined): ArrayLike<number> {
  if (level === undefined) return forecast.point;
  const band = forecast.intervals.find((iv) => Math.abs(iv.level - level) < 1e-9);
  if (!band) {
    const have = forecast.intervals.map((iv) => iv.level).join(', ') || 'none';
    throw new PlannerError('level', `the forecast has no band at level ${level} (levels: ${have})`);
  }
  return band.upper;
}

/**
 * The scale metric for one series now. `previous` is the value this function returned last time
 * for the same series and policy (needed only for the step limits).
 */
export function planScaleMetric(input: PlannerInput, policy: PlannerPolicy, previous?: number): Plan {
  if (!(input.step > 0)) throw new PlannerError('step', `expected seconds > 0, got ${input.step}`);
  const steps = leadSteps(policy.leadTime, input.step);
  let peak = NaN;
  let missingSteps = steps;
  if (input.forecast && steps > 0) {
    const series = chosenSeries(input.forecast, policy.level);
    const available = Math.min(steps, series.length);
    missingSteps = steps - available;
    for (let k = 0; k < available; k++) {
      const v = series[k];
      // NaN never wins a comparison, so a gap in the forecast is simply skipped
      if (v > peak || (Number.isNaN(peak) && Number.isFinite(v))) peak = v;
    }
  }
  let base = Number.isFinite(input.observed) ? input.observed : NaN;
  if (Number.isFinite(peak) && !(base >= peak)) base = peak;
  let value = base * (1 + (policy.headroom ?? 0));
  let limitedBy: PlanLimit = 'none';
  if (Number.isNaN(value)) return { value, peak, leadSteps: steps, missingSteps, limitedBy };
  if (previous !== undefined && Number.isFinite(previous) && previous > 0) {
    if (policy.maxStepUp !== undefined && value > previous * policy.maxStepUp) {
      value = previous * policy.maxStepUp;
      limitedBy = 'step_up';
    }
    if (policy.maxStepDown !== undefined && value < previous * (1 - policy.maxStepDown)) {
      value = previous * (1 - policy.maxStepDown);
      limitedBy = 'step_down';
    }
  }
  if (policy.max !== undefined && value > policy.max) {
    value = policy.max;
    limitedBy = 'max';
  }
  if (policy.min !== undefined && value < policy.min) {
    value = policy.min;
    limitedBy = 'min';
  }
  return { value, peak, leadSteps: steps, missingSteps, limitedBy };
}

/** Desired replicas for `metricType: AverageValue` with per-replica target `target` (what the HPA computes). */
export function desiredReplicas(scaleMetric: number, target: number): number {
  return Math.ceil(scaleMetric / target);
}
