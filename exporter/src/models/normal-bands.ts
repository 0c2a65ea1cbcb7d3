/** Central normal prediction intervals: point ± z(level) · sd per step. Shared by every model that has a variance formula. */
import { normalQuantile } from '../util/stats.js';
import type { ForecastResult } from './types.js';

export function bandsFromSd(point: number[], sd: number[], levels: number[]): ForecastResult {
  return {
    point,
    intervals: levels.map((level) => {
      const z = normalQuantile(0.5 + level / 2);
      return { level, lower: point.map((p, i) => p - z * sd[i]), upper: point.map((p, i) => p + z * sd[i]) };
    }),
  };
}
