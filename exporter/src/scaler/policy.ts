/**
 * The defaults that turn "scale this series" into a planner policy, shared by the KEDA external
 * scaler (ScaledObject metadata) and `cloudpulse_scale_metric` (`series[].scale`), so both routes
 * scale on the same number for the same settings.
 */
import type { PlannerPolicy } from '../scaling/planner.js';

/** the HPA controller's default sync period (--horizontal-pod-autoscaler-sync-period) */
export const HPA_SYNC_SECONDS = 15;
/** assumed pod start-up when neither a lead time nor a start-up is given */
export const DEFAULT_POD_STARTUP = 60;
/** the band whose upper bound is planned on: one of the default `levels` of every series entry */
export const DEFAULT_LEVEL = 0.95;

/**
 * Lead time when none is given: pod start-up, one HPA sync, and one step of the series. The
 * planner counts the lead window from the forecast's origin, the last sample, which is up to one
 * step (one scrape at the series' resolution) older than now.
 */
export function defaultLeadTime(podStartup: number, step: number): number {
  return podStartup + HPA_SYNC_SECONDS + step;
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
}

/** The planner policy for a series of step `step`. */
export function plannerPolicy(s: ScaleSettings, step: number): PlannerPolicy {
  const level = s.level === undefined ? DEFAULT_LEVEL : (s.level ?? undefined);
  return {
    leadTime: s.leadTime ?? defaultLeadTime(s.podStartup ?? DEFAULT_POD_STARTUP, step),
    level,
    headroom: s.headroom,
    min: s.min,
    max: s.max,
    maxStepUp: s.maxStepUp,
    maxStepDown: s.maxStepDown,
  };
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
