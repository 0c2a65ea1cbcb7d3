/**
 * Default settings of the capacity planner and its replay, shared by `cloudpulse plan`,
 * `cloudpulse scale-sim`, the benchmark and (later) the live scaler. Chosen by leave-one-trace-out
 * validation on the scaling traces (docs/autoscaling.md, "Replay results"), not tuned to one trace.
 */
import { stepDownForHalfLife, type PlannerPolicy } from './planner.js';

export const SCALING_DEFAULTS = {
  /** forecasting model replayed for the scale metric */
  model: 'ets',
  /** upper bound of this band */
  level: 0.8 as number | undefined,
  /** extra capacity as a fraction of the planned load */
  headroom: 0,
  /** after a peak the metric may halve at most once per this many seconds */
  scaleDownHalfLife: 1800,
  /** pod start-up assumed when no lead time is given */
  startup: 60,
  /** the HPA's sync period (kube-controller-manager --horizontal-pod-autoscaler-sync-period) */
  syncPeriod: 15,
  /** the exporter's defaults: refit every hour on the last seven days */
  refitInterval: 3600,
  fitWindow: 7 * 86400,
};

/** Pod start-up + one HPA sync + one scrape (the series' step): when capacity asked for now serves. */
export function defaultLeadTime(step: number, startup = SCALING_DEFAULTS.startup): number {
  return startup + SCALING_DEFAULTS.syncPeriod + step;
}

export interface PlanSettings {
  leadTime: number;
  level?: number;
  headroom: number;
  /** seconds; 0 = no limit on the way down */
  scaleDownHalfLife: number;
}

/** The planner policy for a series at `step`. */
export function plannerPolicy(s: PlanSettings, step: number): PlannerPolicy {
  return {
    leadTime: s.leadTime,
    level: s.level,
    headroom: s.headroom,
    maxStepDown: s.scaleDownHalfLife > 0 ? stepDownForHalfLife(s.scaleDownHalfLife, step) : undefined,
  };
}
