/**
 * A last check on a forecast before it is printed: a non-finite number or a band of zero width
 * from finite input that varies means the arithmetic failed (an overflow, a degenerate fit), and
 * printing it would hide that behind plausible-looking rows. Pure: no I/O.
 */
import type { ForecastResult } from './types.js';

/** narrower than a few units in the last place of its bounds: no width a double can hold */
function collapsed(lower: number, upper: number): boolean {
  return !(upper - lower > 4 * Number.EPSILON * Math.max(Math.abs(lower), Math.abs(upper)));
}

/** true when the finite values are not all one number */
function varies(values: ArrayLike<number>): boolean {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < low) low = values[i];
    if (values[i] > high) high = values[i];
  }
  return high > low;
}

const percent = (level: number) => `${+(level * 100).toFixed(4)}%`;

/**
 * What is wrong with `result` as a forecast of `values` (the history it was fitted on), or
 * undefined when every number is finite and, for history that varies, every band has width.
 * Only the first problem is named, with its step (1-based) and band.
 */
export function forecastProblem(values: ArrayLike<number>, result: ForecastResult): string | undefined {
  const checkWidth = varies(values);
  for (let i = 0; i < result.point.length; i++) {
    if (!Number.isFinite(result.point[i])) return `a non-finite point forecast (${result.point[i]}) at step ${i + 1}`;
    for (const band of result.intervals) {
      const lower = band.lower[i];
      const upper = band.upper[i];
      if (!Number.isFinite(lower) || !Number.isFinite(upper)) {
        return `a non-finite ${percent(band.level)} band [${lower}, ${upper}] at step ${i + 1}`;
      }
      if (checkWidth && collapsed(lower, upper)) {
        return `a ${percent(band.level)} band of no width [${lower}, ${upper}] at step ${i + 1} from history that varies`;
      }
    }
  }
  return undefined;
}
