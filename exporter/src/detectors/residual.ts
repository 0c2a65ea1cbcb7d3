/**
 * `residual`: each point is compared with a one-step-ahead forecast and
 * with the series' own history, and the most surprising of four signals scores it: the value
 * leaves the history's range; the absolute forecast error leaves the range of past errors; the
 * recent window's mean leaves the range of such means; or the window's spread drops below it (a
 * flat-line). Each surprise is a tail probability against the series' own running history (the
 * chance that a new extreme lands this far out), so one threshold means about the same on every
 * series.
 *
 * Scale-free: windows are counts of points; histories are counts of seasons with a floor in
 * points, and count as evidence no more points than that floor and no fewer than 1,000
 * (range-novelty.ts), so a history holds the same patterns, and a new extreme weighs about the
 * same, at 1 minute, 5 minutes or 1 hour and in short series; nothing scores before a season plus
 * a window has been seen. Counters are scored on their increase (blocks/counter.ts). After an alarm, weaker repeats
 * are damped; level shifts are re-learnt once confirmed; gaps leave the score unchanged; flat-lines
 * cannot divide by a zero scale.
 */
import type { DetectorFactory, Detection, ScorerOptions, SeriesScorer } from './types.js';
import { RepeatSuppressor } from './blocks/repeat-suppressor.js';
import { OnlinePredictor, type StepPredictor } from './blocks/online-predictor.js';
import { AlertState, scoreFromSurprise } from './blocks/severity.js';
import { RangeNovelty } from './blocks/range-novelty.js';
import { WindowNovelty } from './blocks/window-novelty.js';
import { CounterView } from './blocks/counter.js';
import { fillTimeGap, seasonFor } from './blocks/series-grid.js';

/** mean absolute error -> standard deviation for normal errors */
const MAE_TO_SIGMA = Math.sqrt(Math.PI / 2);
/** half-width of the reported band, in standard deviations (a 99% band) */
const BAND_Z = 2.576;

/** the detector's constants (docs/benchmarks.md gives the validation behind each) */
export interface ResidualSettings {
  /** points averaged by the mean and spread signals */
  window: number;
  /**
   * seasons (or points, whichever is more) the value range and the ranges of window means and
   * spreads cover; the points are also the most that history counts as evidence
   */
  historySeasons: number;
  historyPoints: number;
  /** seasons (points) the range of forecast errors covers */
  errorSeasons: number;
  errorPoints: number;
  /** points before any signal scores; at least a season plus a window */
  minHistory: number;
  /** half-life, in points, of the damping of repeats after an alarm */
  repeatHalfLife: number;
  /** weight of each signal's surprise (0 leaves a signal out) */
  weights: SignalWeights;
  /** the flat-line signal scores only windows that are exactly flat */
  stuckOnly: boolean;
  /**
   * fewest points a history counts as evidence once it scores: a series with a short history
   * (hourly, or new) would otherwise never reach a threshold that longer series agree on
   */
  evidenceFloor: number;
  /** |z| above which consecutive same-signed residuals count towards a level shift */
  shiftZ: number;
  /** consecutive such residuals that confirm a shift */
  shiftPoints: number;
}

export interface SignalWeights {
  range: number;
  errorRange: number;
  windowMean: number;
  flatLine: number;
}

export const RESIDUAL_DEFAULTS: ResidualSettings = {
  window: 24,
  historySeasons: 14,
  historyPoints: 4032,
  errorSeasons: 3,
  errorPoints: 864,
  minHistory: 150,
  repeatHalfLife: 96,
  weights: { range: 2, errorRange: 2, windowMean: 2, flatLine: 2 },
  stuckOnly: false,
  evidenceFloor: 1000,
  shiftZ: 3,
  shiftPoints: 12,
};

export class ResidualScorer implements SeriesScorer {
  private lastT = NaN;
  private shiftRun = 0;
  private shiftSum = 0;
  private points = 0;
  private last: Detection = { score: 0, isAnomaly: false, severity: 0 };
  private readonly alert: AlertState;
  private readonly range: RangeNovelty;
  private readonly errorRange: RangeNovelty;
  private readonly window: WindowNovelty;
  private readonly repeats: RepeatSuppressor;
  private readonly counter: CounterView;

  constructor(
    private readonly step: number,
    private readonly predictor: StepPredictor,
    threshold: number | undefined,
    private readonly s: ResidualSettings,
  ) {
    const season = predictor.seasonLength;
    const span = (seasons: number, points: number) => Math.max(points, seasons * season);
    const history = span(s.historySeasons, s.historyPoints);
    const minHistory = Math.max(s.minHistory, season + s.window);
    this.alert = new AlertState({ threshold });
    const floor = (cap: number) => Math.min(cap, s.evidenceFloor);
    this.range = new RangeNovelty(history, minHistory, s.historyPoints, false, floor(s.historyPoints));
    this.errorRange = new RangeNovelty(
      span(s.errorSeasons, s.errorPoints),
      minHistory,
      s.errorPoints,
      false,
      floor(s.errorPoints),
    );
    this.window = new WindowNovelty(
      s.window,
      history,
      minHistory,
      s.historyPoints,
      s.stuckOnly,
      floor(s.historyPoints),
    );
    this.repeats = new RepeatSuppressor(s.repeatHalfLife);
    this.counter = new CounterView(step);
  }

  score(t: number, v: number): Detection {
    this.one[0] = v;
    this.counter.push(t, this.one, this.sink);
    return this.last;
  }

  /** the value handed to the counter view (a plain array: a typed one costs a buffer and a view) */
  private readonly one = [0];
  private readonly sink = (t: number, x: Float64Array) => this.scoreValue(t, x[0]);

  private scoreValue(t: number, v: number): void {
    fillTimeGap(this.lastT, t, this.step, this.predictor.seasonLength, () => this.predictor.update(NaN));
    this.lastT = t;
    if (!Number.isFinite(v)) {
      this.predictor.update(NaN);
      return;
    }
    this.points++;
    const { expected, scale } = this.predictor.predict();
    if (!Number.isFinite(scale)) {
      this.predictor.update(v);
      this.last = { score: 0, isAnomaly: false, severity: 0 };
      return;
    }
    // a scale floor relative to the level keeps flat-lines and quantised series from dividing by 0
    const sigma = Math.max(scale * MAE_TO_SIGMA, 1e-9 + 1e-6 * Math.abs(expected));
    const [windowMean, flatLine] = this.window.update(v);
    const w = this.s.weights;
    const surprise = Math.max(
      w.range * this.range.update(v),
      w.errorRange * this.errorRange.update(Math.abs(v - expected)),
      w.windowMean * windowMean,
      w.flatLine * flatLine,
    );
    const score = scoreFromSurprise(this.repeats.update(surprise));
    this.predictor.update(v);
    this.trackShift((v - expected) / sigma, v - expected);
    const status = this.alert.update(score);
    this.last = {
      score,
      isAnomaly: status.isAnomaly,
      severity: status.severity,
      expected: this.counter.value(expected),
      lower: this.counter.value(expected - BAND_Z * sigma),
      upper: this.counter.value(expected + BAND_Z * sigma),
    };
  }

  pending(): Promise<void> | undefined {
    return this.predictor.pending?.();
  }

  /** a run of large residuals on one side is a level shift: re-learn the level instead of alarming on */
  private trackShift(z: number, residual: number): void {
    if (Math.abs(z) < this.s.shiftZ || (this.shiftRun > 0 && Math.sign(residual) !== Math.sign(this.shiftSum))) {
      this.shiftRun = 0;
      this.shiftSum = 0;
      return;
    }
    this.shiftRun++;
    this.shiftSum += residual;
    if (this.shiftRun >= this.s.shiftPoints) {
      this.predictor.shiftLevel(this.shiftSum / this.shiftRun);
      this.shiftRun = 0;
      this.shiftSum = 0;
    }
  }

  /** a summary for diagnostics; the state itself is rebuilt from history after a restart */
  toJSON(): unknown {
    return {
      detector: 'residual',
      step: this.step,
      points: this.points,
      forecast: this.predictor.chosen,
      counter: this.counter.isCounter,
    };
  }
}

export function createResidualScorer(
  options: ScorerOptions,
  settings: Partial<ResidualSettings> = {},
  predictor: StepPredictor = new OnlinePredictor({ season: seasonFor(options) }),
): ResidualScorer {
  return new ResidualScorer(options.step, predictor, options.threshold, { ...RESIDUAL_DEFAULTS, ...settings });
}

export const residual: DetectorFactory = {
  name: 'residual',
  summary: 'one-step forecast error and window signals against the series own history',
  create: (options) => createResidualScorer(options),
};
