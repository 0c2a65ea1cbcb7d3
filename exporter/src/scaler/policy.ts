/**
 * The defaults that turn "scale this series" into a planner policy, shared by the KEDA external
 * scaler (ScaledObject metadata) and `cloudpulse_scale_metric` (`series[].scale`), so both routes
 * scale on the same number for the same settings.
 */
import { defaultLeadTime as leadTimeAt, SCALING_DEFAULTS } from '../scaling/defaults.js';
import { stepDownForHalfLife, type PlannerPolicy } from '../scaling/planner.js';

/** the HPA controller's default sync period (--horizontal-pod-autoscaler-sync-period) */
export const HPA_SYNC_SECONDS = SCALING_DEFAULTS.syncPeriod;
/** assumed pod start-up when neither a lead time nor a start-up is given */
export const DEFAULT_POD_STARTUP = SCALING_DEFAULTS.startup;
/**
 * The band whose upper bound is planned on, as chosen by the replay on real traces (one of the
 * default `levels` of every series entry).
 */
export const DEFAULT_LEVEL = SCALING_DEFAULTS.level ?? 0.8;

/**
 * Lead time when none is given: pod start-up, one HPA sync, and one step of the series. The
 * planner counts the lead window from the forecast's origin, the last sample, which is up to one
 * step (one scrape at the series' resolution) older than now.
 */
export function defaultLeadTime(podStartup: number, step: number): number {
  return leadTimeAt(step, podStartup);
}

/** Scale settings as a user writes them; absent fields take the defaults above. */
export interface ScaleSettings {
  /** seconds; overrides podStartup */
  leadTime?: number;
  /** seconds */
  podStartup?: number;
  /** a band level, or null for the point forecast */
  level?: number | null;
  headroom?: number;
  min?: number;
  max?: number;
  maxStepUp?: number;
  maxStepDown?: number;
  /** seconds; the metric may halve at most once per this long (0 = no limit); ignored with maxStepDown */
  scaleDownHalfLife?: number;
}

/**
 * The planner policy for a series of step `step`. `withPrevious` says the caller keeps the
 * previous value (the external scaler does, an exported gauge does not): only then does the
 * default scale-down half-life apply, as in `cloudpulse plan`.
 */
export function plannerPolicy(s: ScaleSettings, step: number, withPrevious = false): PlannerPolicy {
  const level = s.level === undefined ? DEFAULT_LEVEL : (s.level ?? undefined);
  return {
    leadTime: s.leadTime ?? defaultLeadTime(s.podStartup ?? DEFAULT_POD_STARTUP, step),
    level,
    headroom: s.headroom,
    min: s.min,
    max: s.max,
    maxStepUp: s.maxStepUp,
    maxStepDown: s.maxStepDown ?? (withPrevious ? halfLifeStep(s.scaleDownHalfLife, step) : undefined),
  };
}

function halfLifeStep(halfLife = SCALING_DEFAULTS.scaleDownHalfLife, step: number): number | undefined {
  return halfLife > 0 ? stepDownForHalfLife(halfLife, step) : undefined;
}

/** `series[].scale` from the config file (snake_case, as the file spells it) as settings. */
export function settingsFromConfig(scale: {
  lead_time?: number;
  pod_startup?: number;
  level?: number | 'point';
  headroom?: number;
  min?: number;
  max?: number;
}): ScaleSettings {
  return {
    leadTime: scale.lead_time,
    podStartup: scale.pod_startup,
    level: scale.level === 'point' ? null : scale.level,
    headroom: scale.headroom,
    min: scale.min,
    max: scale.max,
  };
}
