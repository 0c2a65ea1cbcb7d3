/** Every replayed scaling policy by the name used in `cloudpulse scale-sim --policies`. */
import type { ScalingPolicy } from './types.js';
import { reactive } from './reactive.js';
import { predictive } from './predictive.js';
import { recentMax } from './recent-max.js';
import { dayAgo } from './day-ago.js';

export const POLICIES: Record<string, ScalingPolicy> = {
  reactive,
  predictive,
  recent_max: recentMax,
  day_ago: dayAgo,
};

export function getPolicy(name: string): ScalingPolicy | undefined {
  return Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
}
