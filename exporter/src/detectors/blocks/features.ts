/**
 * Scale-free per-point features for the forest detectors, computed causally in O(1) per point:
 * each says how the newest point and the recent window sit against the series' own long-run
 * behaviour, in units of its own spread, so one trained model's splits mean the same on any
 * series and at any step. Several aligned metrics (CPU, memory, network of one instance) give
 * one vector per point by concatenating each metric's features.
 */
import { Ring, RunningMoments } from './ring.js';

/** see FeatureTracker.next */
export const FEATURES_PER_METRIC = 5;
/** floor on spreads, relative to the level, so a flat series cannot divide by zero */
const REL_FLOOR = 1e-6;

export class FeatureTracker {
  private readonly window: Ring;
  private readonly long: RunningMoments;
  private readonly steps: RunningMoments;
  private readonly spreads: RunningMoments;
  private level = NaN;
  private last = NaN;

  /**
   * @param window points of the short window (mean, spread, trend)
   * @param history half-life, in points, of the long-run moments
   */
  constructor(
    window: number,
    history: number,
    private readonly levelAlpha = 0.3,
  ) {
    this.window = new Ring(window);
    this.long = new RunningMoments(history);
    this.steps = new RunningMoments(history);
    this.spreads = new RunningMoments(history);
  }

  /**
   * Writes the features of `value` against the points before it into `out` at `at`, then absorbs
   * it (NaN repeats the last value): the surprise of the point against a short EWMA in units of
   * the typical step, its distance from the long-run mean, the window mean's distance from it,
   * the log ratio of the window spread to the typical window spread, and the change between the
   * two halves of the window, all in long-run standard deviations.
   */
  next(value: number, out: Float64Array, at = 0): void {
    const v = Number.isFinite(value) ? value : Number.isFinite(this.last) ? this.last : 0;
    const floor = 1e-12 + REL_FLOOR * Math.abs(this.long.mean);
    const sd = Math.max(floor, this.long.std);
    const step = Math.max(floor, this.steps.std);
    const level = Number.isFinite(this.level) ? this.level : v;
    this.window.push(v);
    const mean = this.window.mean;
    const spread = this.window.std;
    out[at] = (v - level) / step;
    out[at + 1] = (v - this.long.mean) / sd;
    out[at + 2] = (mean - this.long.mean) / sd;
    out[at + 3] = Math.log((spread + floor) / (Math.max(0, this.spreads.mean) + floor));
    out[at + 4] = this.window.count > 3 ? (2 * (mean - this.firstHalfMean())) / sd : 0;
    if (Number.isFinite(this.last)) this.steps.push(v - this.last);
    this.long.push(v);
    this.spreads.push(spread);
    this.level = Number.isFinite(this.level) ? this.level + this.levelAlpha * (v - this.level) : v;
    this.last = v;
  }

  /** mean of the older half of the window: the window mean minus the newer half's share */
  private firstHalfMean(): number {
    return this.window.headMean(Math.floor(this.window.count / 2));
  }
}
