/**
 * CloudPulse: a ScaledObject with two triggers, the reactive load and the planner's scale metric
 * (the forecast's peak over the lead time at the chosen band), replayed from causal forecasts.
 */
import { planTrack } from '../forecast-replay.js';
import { maxOf, type ScalingPolicy } from './types.js';

export const predictive: ScalingPolicy = {
  name: 'predictive',
  summary: 'max of the reactive load and the CloudPulse scale metric',
  needsForecast: true,
  metric(ctx) {
    if (!ctx.forecasts) throw new Error('predictive: no forecasts in the context');
    return maxOf(ctx.load, planTrack(ctx.forecasts, { ...ctx.planner, leadTime: ctx.leadTime }));
  },
};
