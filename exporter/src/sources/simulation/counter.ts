/**
 * A Prometheus-style counter: the running total of a rate since the process last restarted (when
 * it drops back to zero). The total is summed over a fixed one-minute grid counted from each
 * restart, so a value is the same whichever range it was computed in; a run of ascending
 * timestamps continues one sum instead of restarting it for every point.
 */

/** seconds between the rate samples that make up the total */
const SUB_STEP = 60;

/**
 * Counter values at ascending `timestamps`, for a rate (per second) `rate(t)` and the last restart
 * at or before t, `restartBefore(t)`.
 */
export function counterSeries(
  timestamps: readonly number[],
  restartBefore: (t: number) => number,
  rate: (t: number) => number,
): number[] {
  let from = NaN;
  let steps = 0;
  let total = 0;
  return timestamps.map((t) => {
    const restart = restartBefore(t);
    if (restart !== from) {
      from = restart;
      steps = 0;
      total = 0;
    }
    for (; from + (steps + 1) * SUB_STEP <= t; steps++) total += rate(from + (steps + 1) * SUB_STEP) * SUB_STEP;
    return total;
  });
}
