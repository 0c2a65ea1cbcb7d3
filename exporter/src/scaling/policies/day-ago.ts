/**
 * Simple causal baseline: the highest load of the next 5 minutes as they were one day earlier,
 * beside the reactive trigger (a daily pattern repeats; today's surprises are caught reactively).
 */
import { maxOf, stepsIn, type ScalingPolicy } from './types.js';

const DAY_SECONDS = 86400;
const AHEAD_SECONDS = 300;

export const dayAgo: ScalingPolicy = {
  name: 'day_ago',
  summary: 'max of the next 5 minutes one day earlier, and the reactive trigger',
  metric(ctx) {
    const { load } = ctx;
    const day = stepsIn(DAY_SECONDS, ctx.step);
    const ahead = stepsIn(AHEAD_SECONDS, ctx.step);
    const rule = new Float64Array(load.length).fill(NaN);
    // bucket b is the last complete one, so the next minutes are b + 1 .. b + ahead
    for (let b = day - 1; b < load.length; b++) {
      let m = NaN;
      for (let k = b + 1 - day; k <= Math.min(b + ahead - day, b); k++) if (load[k] > m || Number.isNaN(m)) m = load[k];
      rule[b] = m;
    }
    return maxOf(load, rule);
  },
};
