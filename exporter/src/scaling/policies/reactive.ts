/** The plain HPA: scale on the load of the last complete scrape. */
import type { ScalingPolicy } from './types.js';

export const reactive: ScalingPolicy = {
  name: 'reactive',
  summary: 'HPA on the load of the last complete scrape',
  metric: (ctx) => Float64Array.from(ctx.load),
};
