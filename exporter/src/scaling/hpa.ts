/**
 * A model of the Kubernetes HorizontalPodAutoscaler (autoscaling/v2, default behaviour) driving
 * one Deployment through a recorded load trace, and the score of the capacity it provided.
 *
 * Every `syncPeriod` the HPA reads the metric, and for `metricType: AverageValue` proposes
 * ceil(metric / target) replicas unless |metric / (target * current) - 1| <= tolerance. The
 * proposal is stabilised (scale-down takes the highest proposal of the last
 * `scaleDownStabilization` seconds; scale-up is not stabilised), limited to
 * max(current + scaleUpPods, current * (1 + scaleUpPercent / 100)) per `scaleUpPeriod`, and
 * bounded by min/max replicas. New pods serve only `startupDelay` seconds after creation; scale-down
 * removes pods that are not ready yet first (the ReplicaSet controller's order). Several triggers
 * on one ScaledObject make the HPA take the highest proposal; since the proposal is
 * non-decreasing in the metric, that equals the proposal for the highest metric, so a policy
 * passes one metric series (the max of its triggers).
 *
 * Time is in seconds from the trace start. The load is piecewise constant: `load[b]` holds over
 * [b * step, (b + 1) * step). The metric `metric[b]` is what the policy reports once bucket b is
 * complete (its last complete scrape), so at a sync at time s the HPA reads bucket floor(s / step) - 1.
 */

export interface HpaConfig {
  syncPeriod: number;
  tolerance: number;
  scaleUpPods: number;
  scaleUpPercent: number;
  scaleUpPeriod: number;
  scaleDownStabilization: number;
  minReplicas: number;
  maxReplicas: number;
  /** seconds from pod creation until it serves */
  startupDelay: number;
}

export const DEFAULT_HPA: HpaConfig = {
  syncPeriod: 15,
  tolerance: 0.1,
  scaleUpPods: 4,
  scaleUpPercent: 100,
  scaleUpPeriod: 15,
  scaleDownStabilization: 300,
  minReplicas: 1,
  maxReplicas: 100_000,
  startupDelay: 60,
};

export interface Workload {
  /** load per bucket (NaN: unknown, not scored) */
  load: ArrayLike<number>;
  /** seconds per bucket */
  step: number;
  /** the HPA's per-replica target (AverageValue) */
  target: number;
  /** a ready replica serves target / utilisation */
  utilisation: number;
  /** first bucket that counts in the score (earlier ones warm the policy up) */
  scoreFrom: number;
}

export interface HpaScore {
  /** minutes during which the load exceeded what the ready pods serve */
  underProvisionedMinutes: number;
  /** load above ready capacity, as a share of all load */
  unservedShare: number;
  /** pods that exist (ready or starting), integrated over time, in replica-minutes */
  replicaMinutes: number;
  /** syncs that changed the replica count */
  scaleEvents: number;
  /** scored minutes */
  minutes: number;
}

export interface HpaTimeline {
  /** seconds from the trace start of each sync */
  time: Float64Array;
  replicas: Int32Array;
  ready: Int32Array;
}

/** What the HPA proposes for one AverageValue metric, with the tolerance dead band. */
export function proposeReplicas(metric: number, target: number, current: number, tolerance: number): number {
  if (!Number.isFinite(metric)) return current;
  const ratio = metric / (target * current);
  if (current > 0 && Math.abs(ratio - 1) <= tolerance) return current;
  return Math.ceil(metric / target);
}

/** Pods as their ready times, oldest first; removal takes the newest (not-ready first). */
class Pods {
  readyAt: number[] = [];
  get count(): number {
    return this.readyAt.length;
  }
  /** pods ready at time t (ready times are non-decreasing, so a binary search) */
  readyBy(t: number): number {
    let lo = 0;
    let hi = this.readyAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.readyAt[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  resize(to: number, readyAt: number): void {
    while (this.readyAt.length < to) this.readyAt.push(readyAt);
    if (this.readyAt.length > to) this.readyAt.length = to;
  }
}

/** The HPA's decision at one sync, from its current replicas and the history it keeps. */
export class HpaController {
  private readonly recommendations: { time: number; replicas: number }[] = [];
  private readonly scaleUps: { time: number; added: number }[] = [];

  constructor(private readonly config: HpaConfig) {}

  decide(now: number, current: number, metric: number, target: number): number {
    const c = this.config;
    const desired = proposeReplicas(metric, target, current, c.tolerance);
    // stabilisation: scale-down follows the highest recommendation inside the window
    // (kept while strictly newer than now - window, as the controller's `After(cutoff)`)
    const cutoff = now - c.scaleDownStabilization;
    while (this.recommendations.length > 0 && !(this.recommendations[0].time > cutoff)) this.recommendations.shift();
    let downLimit = desired;
    for (const r of this.recommendations) if (r.replicas > downLimit) downLimit = r.replicas;
    this.recommendations.push({ time: now, replicas: desired });
    let next = Math.min(Math.max(current, desired), downLimit);
    if (next > current) {
      const periodCutoff = now - c.scaleUpPeriod;
      while (this.scaleUps.length > 0 && !(this.scaleUps[0].time > periodCutoff)) this.scaleUps.shift();
      const periodStart = current - this.scaleUps.reduce((s, e) => s + e.added, 0);
      const limit = Math.max(periodStart + c.scaleUpPods, Math.ceil(periodStart * (1 + c.scaleUpPercent / 100)));
      next = Math.min(next, limit);
    }
    next = Math.min(Math.max(next, c.minReplicas), c.maxReplicas);
    if (next > current) this.scaleUps.push({ time: now, added: next - current });
    return next;
  }
}

/**
 * Replay the trace: the HPA reads `metric` at every sync, and the ready capacity is scored
 * against the load on every interval where neither the load nor the ready pods change.
 */
export function simulateHpa(
  work: Workload,
  metric: ArrayLike<number>,
  config: HpaConfig = DEFAULT_HPA,
  record = false,
): { score: HpaScore; timeline?: HpaTimeline } {
  const { load, step, target, utilisation, scoreFrom } = work;
  const n = load.length;
  const end = n * step;
  const perReplica = target / utilisation;
  const hpa = new HpaController(config);
  const pods = new Pods();
  pods.resize(config.minReplicas, -Infinity);
  const syncs = Math.ceil(end / config.syncPeriod);
  const timeline = record
    ? { time: new Float64Array(syncs), replicas: new Int32Array(syncs), ready: new Int32Array(syncs) }
    : undefined;
  let underSeconds = 0;
  let unserved = 0;
  let served = 0;
  let replicaSeconds = 0;
  let scoredSeconds = 0;
  let events = 0;
  for (let k = 0; k < syncs; k++) {
    const now = k * config.syncPeriod;
    const bucket = Math.floor(now / step + 1e-9) - 1;
    const current = pods.count;
    const next = bucket >= 0 ? hpa.decide(now, current, metric[bucket], target) : current;
    if (next !== current) {
      pods.resize(next, now + config.startupDelay);
      if (Math.floor(now / step + 1e-9) >= scoreFrom) events++;
    }
    if (timeline) {
      timeline.time[k] = now;
      timeline.replicas[k] = pods.count;
      timeline.ready[k] = pods.readyBy(now);
    }
    // score [now, now + sync) in pieces split at bucket edges and at pods becoming ready
    const until = Math.min(now + config.syncPeriod, end);
    let a = now;
    while (a < until) {
      const b = Math.floor(a / step + 1e-9);
      let piece = Math.min(until, (b + 1) * step);
      const ready = pods.readyBy(a);
      if (ready < pods.count && pods.readyAt[ready] < piece) piece = pods.readyAt[ready];
      const dt = piece - a;
      const l = load[b];
      if (b >= scoreFrom && Number.isFinite(l)) {
        const capacity = ready * perReplica;
        if (l > capacity) {
          underSeconds += dt;
          unserved += (l - capacity) * dt;
        }
        served += l * dt;
        replicaSeconds += pods.count * dt;
        scoredSeconds += dt;
      }
      a = piece;
    }
  }
  return {
    score: {
      underProvisionedMinutes: underSeconds / 60,
      unservedShare: served > 0 ? unserved / served : 0,
      replicaMinutes: replicaSeconds / 60,
      scaleEvents: events,
      minutes: scoredSeconds / 60,
    },
    timeline,
  };
}
