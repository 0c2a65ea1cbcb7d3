/**
 * Signals about the recent window rather than the newest point, for changes that no single point
 * gives away: a level shift or a burst that stays inside the value range (a run of moderately high
 * points), a rising rate of spikes, and a flat-line (a metric stuck at one value, for instance a
 * hung exporter). Range novelty of the window's mean (a sustained excursion takes the mean where
 * the history's means never went) and of its standard deviation, low side only (the spread
 * collapsing below anything seen). Series that are always flat have no spread range and never
 * score. O(1) per point.
 */
import { RangeNovelty } from './range-novelty.js';
import { Ring } from './ring.js';

export class WindowNovelty {
  private readonly recent: Ring;
  private readonly mean: RangeNovelty;
  private readonly spread: RangeNovelty;

  /**
   * See RangeNovelty for `history`, `minHistory` and `evidence`. With `stuckOnly` the spread
   * signal scores only windows that are exactly flat.
   */
  constructor(
    window: number,
    history: number,
    minHistory: number,
    evidence: number,
    private readonly stuckOnly = false,
    floor = 0,
  ) {
    this.recent = new Ring(window);
    this.mean = new RangeNovelty(history, minHistory, evidence, false, floor);
    this.spread = new RangeNovelty(history, minHistory, evidence, true, floor);
  }

  /** surprises of [window mean, window spread] (0 while learning); then absorbs the value */
  update(value: number): [mean: number, flat: number] {
    this.recent.push(value);
    if (this.recent.count < this.recent.size) return [0, 0];
    const mean = this.recent.mean;
    const std = this.recent.std;
    // exactly flat (to rounding) is categorical, a stuck metric, not a matter of degree: if the
    // window was never flat before, that counts as landing a whole range below the lowest spread
    const stuck = std <= 1e-6 * Math.abs(mean) + 1e-12;
    const flat = this.spread.update(stuck ? 0 : std, stuck ? 1 : 0);
    return [this.mean.update(mean), this.stuckOnly && !stuck ? 0 : flat];
  }
}
