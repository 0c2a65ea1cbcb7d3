/**
 * Range novelty: a value outside everything seen in the recent window is itself evidence of an
 * anomaly, whatever the forecast said (a new peak in a noisy series, a drop below any past low).
 * For n exchangeable points a new maximum has probability 1/(n+1), so leaving the range is scored
 * as that tail probability, made smaller the further outside the range the value lands: landing
 * one whole range beyond the edge counts (1 + EXCESS_WEIGHT) times a bare new extreme, so barely
 * leaving the range (noise finding a new high) weighs little against a real excursion.
 *
 * n is capped (`evidence`): neighbouring points are not independent, so a history sampled ten
 * times as finely does not make a new extreme ten times rarer. Without the cap a 1-minute series'
 * fortnight (20,160 points) made every new extreme alarm where the same series at 5 minutes did not.
 * n is also floored (`floor`) once the range scores, so a short history can still alarm at the
 * threshold longer ones agree on (docs/benchmarks.md gives the trade).
 */
import { BlockRange } from './block-range.js';

/** 3 rather than 1: fewer false alarms on NAB at the same recall (low-FP profile 58.8 -> 62.0 alone) */
const EXCESS_WEIGHT = 3;

export class RangeNovelty {
  private readonly range: BlockRange;

  /**
   * @param window points the range looks back over
   * @param minHistory points needed before anything scores
   * @param evidence most points the window counts as
   * @param lowOnly score only values below the range (default: both sides)
   * @param floor fewest points the window counts as, once it scores
   */
  constructor(
    window: number,
    private readonly minHistory: number,
    private readonly evidence: number,
    private readonly lowOnly = false,
    private readonly floor = 0,
  ) {
    this.range = new BlockRange(window);
  }

  /**
   * The surprise (-ln tail probability) of `value` given the window, 0 inside the range; then
   * absorbs it. `minExcess` (share of the range) floors how far outside a value outside counts.
   */
  update(value: number, minExcess = 0): number {
    let surprise = 0;
    const count = this.range.count;
    if (count >= this.minHistory) {
      const hi = this.range.max;
      const lo = this.range.min;
      const range = hi - lo;
      let excess = value > hi && !this.lowOnly ? value - hi : value < lo ? lo - value : 0;
      if (excess > 0) excess = Math.max(excess, minExcess * range);
      if (excess > 0 && range > 0) {
        const n = Math.min(Math.max(count, this.floor), this.evidence);
        surprise = Math.log(n + 1) * (1 + (EXCESS_WEIGHT * excess) / range);
      }
    }
    this.range.push(value);
    return surprise;
  }
}
