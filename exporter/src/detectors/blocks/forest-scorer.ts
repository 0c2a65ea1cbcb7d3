/**
 * The streaming shell shared by the forest detectors. Per point: scale-free features of each
 * aligned metric (features.ts; counters become their increase, counter.ts), a score from the
 * forest trained before the point (causal), and a surprise: the conformal tail of that score
 * among the scores of the points the forest was trained on (the share scoring at least as
 * high), made smaller the further the point's features lie outside the training points' range,
 * since a forest gives every point beyond its training data the same score. The forest is
 * retrained every season (or `retrainPoints`) on a reservoir of recent feature vectors.
 * Memory is fixed: the reservoir, the trees and a few moments, about 25 KB per series.
 */
import type { Detection, ScorerOptions, SeriesScorer } from '../types.js';
import { AlertState, scoreFromSurprise } from './severity.js';
import { FeatureTracker, FEATURES_PER_METRIC } from './features.js';
import { CounterView } from './counter.js';
import { RepeatSuppressor } from './repeat-suppressor.js';
import { seasonFor } from './series-grid.js';
import type { Rows } from './trees.js';
import { BlockRange } from './block-range.js';
import { seededRandom } from '../../util/random.js';

/** what a forest detector trains and asks */
export interface ForestModel {
  /**
   * fit on the first `count` rows (`times` are their timestamps, for labels) and return each
   * row's out-of-bag score: from the trees that did not train on it, so that the scores of new
   * points and of these rows are comparable (a conformal calibration set)
   */
  train(rows: Rows, count: number, times: Float64Array, random: () => number): Float32Array;
  /** higher is more anomalous */
  raw(x: Float64Array): number;
}

export interface ForestSettings {
  /** trees per forest: 16 trees of 64 points take about 10 KB */
  trees: number;
  /** feature vectors kept for training */
  reservoir: number;
  /** points of the features' short window */
  window: number;
  /** points before the first training (at least a season plus a window) */
  minHistory: number;
  /** a season's points when the series has none, and the fewest points between retrains */
  seasonPoints: number;
  /** retrains per season (at most one per `seasonPoints` points) */
  retrainsPerSeason: number;
  /** half-life of the features' long-run moments, in seasons */
  historySeasons: number;
  /** how far outside the training range counts, per range (as in range-novelty.ts) */
  excessWeight: number;
  /** weight of the surprise, as the residual detector's range signals */
  weight: number;
  repeatHalfLife: number;
}

/** points before the features go into the training data and ranges */
const WARM_UP = 100;
/** most points a span counts as evidence, as the residual detector's range signals */
const EVIDENCE = 4032;

export const FOREST_DEFAULTS: ForestSettings = {
  trees: 16,
  reservoir: 192,
  window: 24,
  minHistory: 150,
  seasonPoints: 288,
  retrainsPerSeason: 1,
  historySeasons: 7,
  excessWeight: 3,
  weight: 2,
  repeatHalfLife: 96,
};

export class ForestScorer implements SeriesScorer {
  private readonly trackers: FeatureTracker[];
  private readonly counter: CounterView;
  private readonly dims: number;
  private readonly x: Float64Array;
  private readonly rows: Float32Array;
  private readonly times: Float64Array;
  private readonly stride: number;
  private readonly retrainEvery: number;
  private readonly minHistory: number;
  private stored = 0;
  private next = 0;
  private points = 0;
  private sinceTrain = 0;
  private trained = false;
  private trainings = 0;
  private reference = new Float32Array(0);
  /** every feature's range over the reservoir's span, all points included */
  private readonly ranges: BlockRange[];
  private readonly alert: AlertState;
  private readonly repeats: RepeatSuppressor;
  private last: Detection = { score: 0, isAnomaly: false, severity: 0 };

  constructor(
    private readonly model: ForestModel,
    private readonly options: ScorerOptions,
    metrics: number,
    private readonly s: ForestSettings = FOREST_DEFAULTS,
  ) {
    const season = seasonFor(options) || s.seasonPoints;
    this.dims = metrics * FEATURES_PER_METRIC;
    this.trackers = Array.from({ length: metrics }, () => new FeatureTracker(s.window, s.historySeasons * season));
    this.counter = new CounterView(options.step, metrics);
    this.x = new Float64Array(this.dims);
    this.rows = new Float32Array(s.reservoir * this.dims);
    this.times = new Float64Array(s.reservoir);
    // a short season (a day of hourly points) would retrain far more often than the data changes
    this.retrainEvery = Math.max(s.seasonPoints, Math.round(season / s.retrainsPerSeason));
    // the reservoir spans about a week of seasons
    this.stride = Math.max(1, Math.round((7 * season) / s.reservoir));
    this.minHistory = Math.max(s.minHistory, season + s.window);
    this.ranges = Array.from({ length: this.dims }, () => new BlockRange(7 * season, 32));
    this.alert = new AlertState({ threshold: options.threshold });
    this.repeats = new RepeatSuppressor(s.repeatHalfLife);
  }

  score(t: number, v: number): Detection {
    return this.scoreVector(t, [v]);
  }

  /** aligned values of several metrics of one instance (CPU, memory, network...) */
  scoreVector(t: number, values: readonly number[]): Detection {
    if (values.length !== this.trackers.length) {
      throw new RangeError(`expected ${this.trackers.length} aligned metric values, got ${values.length}`);
    }
    this.counter.push(t, values, this.sink);
    return this.last;
  }

  private readonly sink = (t: number, values: Float64Array) => this.scoreValues(t, values);

  private scoreValues(t: number, values: Float64Array): void {
    if (!values.some(Number.isFinite)) return;
    for (let m = 0; m < values.length; m++) this.trackers[m].next(values[m], this.x, m * FEATURES_PER_METRIC);
    this.points++;
    const surprise = this.trained ? this.surprise() : 0;
    // the features' first points measure against moments still settling: keep them out
    if (this.points > WARM_UP) {
      for (let f = 0; f < this.dims; f++) this.ranges[f].push(this.x[f]);
      if (this.points % this.stride === 0) this.keep(t);
    }
    const score = scoreFromSurprise(this.repeats.update(surprise));
    this.sinceTrain++;
    if (
      this.points >= this.minHistory &&
      this.stored >= 32 &&
      (!this.trained || this.sinceTrain >= this.retrainEvery)
    ) {
      this.train();
    }
    const status = this.alert.update(score);
    this.last = { score, isAnomaly: status.isAnomaly, severity: status.severity };
  }

  private surprise(): number {
    const raw = this.model.raw(this.x);
    // conformal tail among the training points' own scores (binary search in the sorted reference)
    const ref = this.reference;
    let lo = 0;
    let hi = ref.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ref[mid] < raw) lo = mid + 1;
      else hi = mid;
    }
    const n = ref.length;
    let tail = (n - lo + 1) / (n + 1);
    if (lo === n && n > 1) {
      // above every training point's score: rarer the further above, in units of the gap between
      // the top training score and the median one
      const top = ref[n - 1];
      const spread = Math.max(1e-9, top - ref[n >> 1]);
      tail = Math.exp(Math.log(tail) * (1 + (raw - top) / spread));
    }
    let excess = 0;
    let beyond = false;
    for (let f = 0; f < this.dims; f++) {
      const { min, max } = this.ranges[f];
      const x = this.x[f];
      const out = x > max ? x - max : x < min ? min - x : 0;
      if (out > 0 && max > min) {
        beyond = true;
        excess = Math.max(excess, out / (max - min));
      }
    }
    // beyond every point of the span, not only the sampled ones: as rare as a new extreme
    if (beyond) tail = Math.min(tail, 1 / (Math.min(this.ranges[0].count, EVIDENCE) + 1));
    return -this.s.weight * Math.log(tail) * (1 + this.s.excessWeight * excess);
  }

  private keep(t: number): void {
    this.rows.set(this.x, this.next * this.dims);
    this.times[this.next] = t;
    this.next = (this.next + 1) % this.s.reservoir;
    this.stored = Math.min(this.s.reservoir, this.stored + 1);
  }

  private train(): void {
    this.sinceTrain = 0;
    const rows: Rows = { data: this.rows, dims: this.dims };
    const random = seededRandom((this.options.seed ?? 1) + this.trainings++);
    const scores = this.model.train(rows, this.stored, this.times, random).filter(Number.isFinite);
    this.reference = scores.sort();
    this.trained = true;
  }

  /** a summary for diagnostics; the forest is rebuilt from history after a restart */
  toJSON(): unknown {
    return { points: this.points, trainings: this.trainings, reservoir: this.stored };
  }
}
