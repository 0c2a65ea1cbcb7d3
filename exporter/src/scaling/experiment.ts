/**
 * The replay protocol shared by `cloudpulse scale-sim` and `npm run bench:scaling`: a trace's
 * workload (per-replica target from its own 95th percentile), a policy run with extra headroom,
 * and the comparison of two policies at equal cost (the other policy's headroom is searched until
 * its replica-minutes match).
 */
import { quantile } from '../util/stats.js';
import { simulateHpa, type HpaConfig, type HpaScore, type Workload } from './hpa.js';

export interface ProtocolOptions {
  /** the per-replica target is this quantile of the trace divided by `replicasAtQuantile` */
  targetQuantile: number;
  replicasAtQuantile: number;
  utilisation: number;
  /** seconds at the start that warm the policies up and are not scored */
  unscored: number;
}

export const DEFAULT_PROTOCOL: ProtocolOptions = {
  targetQuantile: 0.95,
  replicasAtQuantile: 20,
  utilisation: 0.8,
  unscored: 86400,
};

/** The workload of a trace under the protocol; `target` overrides the per-replica target. */
export function traceWorkload(load: Float64Array, step: number, p: ProtocolOptions, target?: number): Workload {
  const finite = Array.from(load)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (finite.length === 0) throw new Error('the trace has no finite values');
  const perReplica = target ?? quantile(finite, p.targetQuantile) / p.replicasAtQuantile;
  if (!(perReplica > 0)) throw new Error(`per-replica target must be > 0 (the trace's quantile is ${perReplica})`);
  return {
    load,
    step,
    target: perReplica,
    utilisation: p.utilisation,
    scoreFrom: Math.round(p.unscored / step),
  };
}

/** The metric scaled by 1 + headroom (headroom may be negative to make a policy cheaper). */
export function withHeadroom(metric: Float64Array, headroom: number): Float64Array {
  if (headroom === 0) return metric;
  return metric.map((v) => v * (1 + headroom));
}

export function runWithHeadroom(work: Workload, metric: Float64Array, hpa: HpaConfig, headroom: number): HpaScore {
  return simulateHpa(work, withHeadroom(metric, headroom), hpa).score;
}

export interface MatchedRun {
  headroom: number;
  score: HpaScore;
  /** the target replica-minutes */
  cost: number;
  /** false when no headroom in the searched range reaches the cost */
  matched: boolean;
}

/**
 * The policy's score at `cost` replica-minutes: bisect the headroom until the two runs that
 * bracket the cost are within `tolerance` of it (relative), then interpolate every score field
 * linearly in cost between them. Cost grows with headroom (more metric never means fewer pods).
 */
export function matchCost(
  work: Workload,
  metric: Float64Array,
  hpa: HpaConfig,
  cost: number,
  tolerance = 0.002,
  range: [number, number] = [-0.6, 8],
): MatchedRun {
  let [lo, hi] = range;
  let low = runWithHeadroom(work, metric, hpa, lo);
  let high = runWithHeadroom(work, metric, hpa, hi);
  if (low.replicaMinutes >= cost) return { headroom: lo, score: low, cost, matched: low.replicaMinutes === cost };
  if (high.replicaMinutes <= cost) return { headroom: hi, score: high, cost, matched: high.replicaMinutes === cost };
  for (let i = 0; i < 40 && (high.replicaMinutes - low.replicaMinutes) / cost > tolerance; i++) {
    const mid = (lo + hi) / 2;
    const score = runWithHeadroom(work, metric, hpa, mid);
    if (score.replicaMinutes <= cost) [lo, low] = [mid, score];
    else [hi, high] = [mid, score];
  }
  const f = (cost - low.replicaMinutes) / (high.replicaMinutes - low.replicaMinutes || 1);
  const mix = (a: number, b: number) => a + f * (b - a);
  return {
    headroom: mix(lo, hi),
    score: {
      underProvisionedMinutes: mix(low.underProvisionedMinutes, high.underProvisionedMinutes),
      unservedShare: mix(low.unservedShare, high.unservedShare),
      replicaMinutes: cost,
      scaleEvents: mix(low.scaleEvents, high.scaleEvents),
      minutes: low.minutes,
    },
    cost,
    matched: true,
  };
}

/** Geometric mean; a zero makes it zero. */
export function geometricMean(values: number[]): number {
  if (values.length === 0) return NaN;
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}
