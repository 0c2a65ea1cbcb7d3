/**
 * Signals about the recent window rather than the newest point, for changes that no single point
 * gives away: a level shift or a burst that stays inside the value range (a run of moderately high
 * points), a rising rate of spikes, and a flat-line (a metric stuck at one value, for instance a
 * hung exporter). Each is an ln tail probability like the other residual signals, O(1) per point.
 */
import { logNormalTail } from './likelihood.js';
import { RangeNovelty, type RangeNoveltyState } from './range-novelty.js';
import { Ring } from './ring.js';

const LN2 = Math.log(2);

export interface LevelShiftState {
  short: number[];
  long: number[];
  minHistory: number;
}

/**
 * Two-sided normal test of the mean of the last `short` values against the long-run distribution
 * of such means. The means of a persistent new level enter the long window too, so a shift that
 * lasts stops scoring within days instead of alarming for ever.
 */
export class LevelShift {
  private readonly short: Ring;
  private readonly long: Ring;

  constructor(
    shortWindow: number,
    longWindow: number,
    private readonly minHistory: number,
  ) {
    this.short = new Ring(shortWindow);
    this.long = new Ring(longWindow);
  }

  /** ln tail of the current window mean (0 while learning); then absorbs it */
  update(value: number): number {
    this.short.push(value);
    if (this.short.count < this.short.size) return 0;
    const mean = this.short.mean;
    let logTail = 0;
    if (this.long.count >= this.minHistory) {
      const mu = this.long.mean;
      // floor relative to the level: a flat history must not turn any change into infinity
      const sigma = Math.max(this.long.std, 1e-9 + 1e-6 * Math.abs(mu));
      logTail = Math.min(0, logNormalTail(Math.abs(mean - mu) / sigma) + LN2);
    }
    this.long.push(mean);
    return logTail;
  }

  toJSON(): LevelShiftState {
    return { short: this.short.values(), long: this.long.values(), minHistory: this.minHistory };
  }

  static restore(s: LevelShiftState, shortWindow: number, longWindow: number): LevelShift {
    const restored = new LevelShift(shortWindow, longWindow, s.minHistory);
    for (const m of s.long) restored.long.push(m);
    for (const v of s.short) restored.short.push(v);
    return restored;
  }
}

export interface WindowNoveltyState {
  recent: number[];
  mean: RangeNoveltyState;
  spread: RangeNoveltyState;
}

/**
 * Range novelty of the recent window's mean (a sustained excursion or a denser run of spikes takes
 * the mean where two weeks of means never went) and of its standard deviation, low side only (the
 * spread collapsing below anything seen: a flat-line). Series that are always flat have no spread
 * range and never score.
 */
export class WindowNovelty {
  private readonly recent: Ring;

  private constructor(
    window: number,
    private readonly mean: RangeNovelty,
    private readonly spread: RangeNovelty,
  ) {
    this.recent = new Ring(window);
  }

  static create(window: number, history: number, minHistory: number): WindowNovelty {
    return new WindowNovelty(
      window,
      new RangeNovelty(history, minHistory),
      new RangeNovelty(history, minHistory, true),
    );
  }

  /** ln tails of [window mean, window spread] (0 while learning); then absorbs the value */
  update(value: number): [mean: number, flat: number] {
    this.recent.push(value);
    if (this.recent.count < this.recent.size) return [0, 0];
    const mean = this.recent.mean;
    const std = this.recent.std;
    // exactly flat (to rounding) is categorical, a stuck metric, not a matter of degree: if the
    // window was never flat before, that counts as landing a whole range below the lowest spread
    const stuck = std <= 1e-6 * Math.abs(mean) + 1e-12;
    return [this.mean.update(mean), this.spread.update(stuck ? 0 : std, stuck ? 1 : 0)];
  }

  toJSON(): WindowNoveltyState {
    return { recent: this.recent.values(), mean: this.mean.toJSON(), spread: this.spread.toJSON() };
  }

  static restore(s: WindowNoveltyState, window: number): WindowNovelty {
    const restored = new WindowNovelty(window, RangeNovelty.restore(s.mean), RangeNovelty.restore(s.spread));
    for (const v of s.recent) restored.recent.push(v);
    return restored;
  }
}
