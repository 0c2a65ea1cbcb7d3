/**
 * A scaling policy replayed by `cloudpulse scale-sim`: the metric a ScaledObject would feed the
 * HPA, computed causally per bucket (bucket b's value uses buckets 0..b only). One policy per
 * file, listed by name in `index.ts`. A policy with several triggers returns the max of them
 * (the HPA takes the highest proposal, which is the proposal for the highest metric).
 */
import type { ForecastTrack } from '../forecast-replay.js';
import type { PlannerPolicy } from '../planner.js';

export interface PolicyContext {
  /** the load per bucket */
  load: Float64Array;
  /** seconds per bucket */
  step: number;
  /** seconds until capacity requested now serves: pod start-up + one HPA sync + one scrape */
  leadTime: number;
  /** CloudPulse's forecasts after every bucket (predictive policies only) */
  forecasts?: ForecastTrack;
  /** planner settings besides the lead time (predictive policies only) */
  planner?: Omit<PlannerPolicy, 'leadTime'>;
}

export interface ScalingPolicy {
  readonly name: string;
  /** one line for tables and the report */
  readonly summary: string;
  /** true when the policy needs `forecasts` in its context */
  readonly needsForecast?: boolean;
  metric(ctx: PolicyContext): Float64Array;
}

/** Steps in `seconds`, at least one. */
export const stepsIn = (seconds: number, step: number): number => Math.max(1, Math.round(seconds / step));

/** Element-wise max where NaN loses (a trigger with no value does not veto the other). */
export function maxOf(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = b[i] > a[i] || Number.isNaN(a[i]) ? b[i] : a[i];
  return out;
}
