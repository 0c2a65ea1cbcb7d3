/**
 * `residual` (the default detector): each point is compared with a one-step-ahead forecast; the
 * standardised residual becomes a per-point surprise, and the anomaly likelihood (likelihood.ts)
 * turns a short run of surprises into a calibrated score. Window signals join it by max: the
 * value leaves the last two weeks' range; the absolute forecast error leaves the last three days'
 * range of errors; the 2-hour mean leaves the two weeks' range of such means, or the 2-hour spread
 * drops below it (a flat-line); the 4-hour mean departs from the long-run distribution of such
 * means (a level shift; level-change.ts). After an alarm, weaker repeats are damped
 * (RepeatSuppressor), since an alert that is already firing gains nothing from firing again. Level shifts are re-learnt once
 * confirmed, gaps leave the score unchanged, and flat-lines cannot divide by a zero scale.
 */
import type { DetectorFactory, Detection, ScorerOptions, SeriesScorer } from './types.js';
import {
  AnomalyLikelihood,
  logNormalTail,
  RepeatSuppressor,
  type LikelihoodOptions,
  type LikelihoodState,
  type RepeatSuppressorState,
} from './blocks/likelihood.js';
import { OnlinePredictor, type OnlinePredictorState, type StepPredictor } from './blocks/online-predictor.js';
import { AlertState, scoreFromLogTail } from './blocks/severity.js';
import { RangeNovelty, type RangeNoveltyState } from './blocks/range-novelty.js';
import { LevelShift, WindowNovelty, type LevelShiftState, type WindowNoveltyState } from './blocks/level-change.js';
import { fillTimeGap, seasonFor } from './blocks/series-grid.js';

/** mean absolute error -> standard deviation for normal errors */
const MAE_TO_SIGMA = Math.sqrt(Math.PI / 2);
/** half-width of the reported band, in standard deviations (a 99% band) */
const BAND_Z = 2.576;
/**
 * Leaving the recent range (of values, or of absolute forecast errors) outranks a forecast miss of
 * similar tail probability: on real server metrics new extremes are the stronger evidence, and the
 * error range adapts to heavy-tailed noise where a normal tail on z would fire on every burst.
 */
const NOVELTY_WEIGHT = 2;
/**
 * The level-shift test weighs half as much: a normal tail on 4-hour means is the least robust of
 * the signals on heavy-tailed series (weight 1 scored 68.4 on NAB with the range signals, 1.5 66.0).
 */
const LEVEL_SHIFT_WEIGHT = 1;
/** a short window of 30 points (2.5 h at 5 min) scored best of 3, 10, 30, 60 on NAB */
const LIKELIHOOD_DEFAULTS: LikelihoodOptions = { shortWindow: 30 };

export interface ResidualTuning {
  likelihood?: LikelihoodOptions;
  /** |z| above which consecutive same-signed residuals count towards a level shift */
  shiftZ?: number;
  /** consecutive such residuals that confirm a shift */
  shiftPoints?: number;
  errorAlpha?: number;
}

interface ResidualState {
  step: number;
  lastT: number;
  shiftRun: number;
  shiftSum: number;
  lastScore: number;
  predictor: unknown;
  likelihood: LikelihoodState;
  alert: { active: boolean; quiet: number };
  range: RangeNoveltyState;
  residualRange: RangeNoveltyState;
  window?: WindowNoveltyState;
  level?: LevelShiftState;
  repeats: RepeatSuppressorState;
  tuning: ResidualTuning;
}

/** the per-point surprise of a standardised residual: its two-sided normal coverage, erf(|z|/√2) */
export function rawSurprise(z: number): number {
  const x = Math.abs(z);
  if (!Number.isFinite(x)) return 1;
  // 1 - 2 P(Z > |z|); tail taken from the likelihood module's accurate log tail
  return 1 - 2 * Math.exp(logNormalTail(x));
}

export class ResidualScorer implements SeriesScorer {
  private lastT = NaN;
  private shiftRun = 0;
  private shiftSum = 0;

  private last: Detection = { score: 0, isAnomaly: false, severity: 0 };
  private readonly shiftZ: number;
  private readonly shiftPoints: number;

  constructor(
    private readonly step: number,
    private readonly predictor: StepPredictor,
    private readonly likelihood: AnomalyLikelihood,
    private readonly alert: AlertState,
    private readonly range: RangeNovelty,
    private readonly residualRange: RangeNovelty,
    private readonly window: WindowNovelty,
    private readonly level: LevelShift,
    private readonly repeats: RepeatSuppressor,
    private readonly tuning: ResidualTuning,
  ) {
    this.shiftZ = tuning.shiftZ ?? 3;
    this.shiftPoints = tuning.shiftPoints ?? 12;
  }

  score(t: number, v: number): Detection {
    fillTimeGap(this.lastT, t, this.step, this.predictor.seasonLength, () => this.predictor.update(NaN));
    this.lastT = t;
    if (!Number.isFinite(v)) {
      this.predictor.update(NaN);
      return this.last;
    }
    const { expected, scale } = this.predictor.predict();
    if (!Number.isFinite(scale)) {
      this.predictor.update(v);
      return (this.last = { score: 0, isAnomaly: false, severity: 0 });
    }
    // a scale floor relative to the level keeps flat-lines and quantised series from dividing by 0
    const sigma = Math.max(scale * MAE_TO_SIGMA, 1e-9 + 1e-6 * Math.abs(expected));
    const z = (v - expected) / sigma;
    const [windowMean, flatLine] = this.window.update(v);
    const logTail = this.repeats.update(
      Math.min(
        this.likelihood.updateLogTail(rawSurprise(z)),
        NOVELTY_WEIGHT * this.range.update(v),
        NOVELTY_WEIGHT * this.residualRange.update(Math.abs(v - expected)),
        NOVELTY_WEIGHT * windowMean,
        NOVELTY_WEIGHT * flatLine,
        LEVEL_SHIFT_WEIGHT * this.level.update(v),
      ),
    );
    const score = scoreFromLogTail(logTail);
    this.predictor.update(v);
    this.trackShift(z, v - expected);
    const status = this.alert.update(score);
    this.last = {
      score,
      isAnomaly: status.isAnomaly,
      severity: status.severity,
      expected,
      lower: expected - BAND_Z * sigma,
      upper: expected + BAND_Z * sigma,
    };
    return this.last;
  }

  pending(): Promise<void> | undefined {
    return this.predictor.pending?.();
  }

  /** a run of large residuals on one side is a level shift: re-learn the level instead of alarming on */
  private trackShift(z: number, residual: number): void {
    if (Math.abs(z) < this.shiftZ || (this.shiftRun > 0 && Math.sign(residual) !== Math.sign(this.shiftSum))) {
      this.shiftRun = 0;
      this.shiftSum = 0;
      return;
    }
    this.shiftRun++;
    this.shiftSum += residual;
    if (this.shiftRun >= this.shiftPoints) {
      this.predictor.shiftLevel(this.shiftSum / this.shiftRun);
      this.shiftRun = 0;
      this.shiftSum = 0;
    }
  }

  toJSON(): ResidualState {
    return {
      step: this.step,
      lastT: this.lastT,
      shiftRun: this.shiftRun,
      shiftSum: this.shiftSum,
      lastScore: this.last.score,
      predictor: this.predictor.toJSON(),
      likelihood: this.likelihood.toJSON(),
      alert: this.alert.toJSON(),
      range: this.range.toJSON(),
      residualRange: this.residualRange.toJSON(),
      window: this.window.toJSON(),
      level: this.level.toJSON(),
      repeats: this.repeats.toJSON(),
      tuning: this.tuning,
    };
  }

  static restore(s: ResidualState, options: ScorerOptions): ResidualScorer {
    const alert = new AlertState({ threshold: options.threshold });
    alert.restore(s.alert);
    const scorer = new ResidualScorer(
      s.step,
      OnlinePredictor.restore(s.predictor as OnlinePredictorState),
      AnomalyLikelihood.restore(s.likelihood),
      alert,
      RangeNovelty.restore(s.range),
      RangeNovelty.restore(s.residualRange),
      // state saved before these signals existed starts them afresh
      s.window ? WindowNovelty.restore(s.window, windowPoints(s.step)) : newWindowNovelty(s.step),
      s.level ? LevelShift.restore(s.level, levelPoints(s.step), levelHistory(s.step)) : newLevelShift(s.step),
      RepeatSuppressor.restore(s.repeats),
      s.tuning,
    );
    scorer.lastT = s.lastT ?? NaN;
    scorer.shiftRun = s.shiftRun;
    scorer.shiftSum = s.shiftSum;
    scorer.last = { score: s.lastScore, isAnomaly: false, severity: 0 };
    return scorer;
  }
}

/** two weeks of points: long enough to hold every daily and weekly peak */
function rangeWindow(step: number): number {
  return Math.max(100, Math.round((14 * 86400) / step));
}

/** three days of forecast errors: long enough to hold a few daily bursts, short enough to follow a change of regime */
function errorWindow(step: number): number {
  return Math.max(100, Math.round((3 * 86400) / step));
}

/** the window of the mean and spread novelty: 2 hours (24 points at 5 min; 12-48 all scored within 1.4 on NAB) */
function windowPoints(step: number): number {
  return Math.max(3, Math.round(7200 / step));
}

/** the level-shift window: 4 hours, long enough that one spike barely moves its mean */
function levelPoints(step: number): number {
  return Math.max(3, Math.round(14400 / step));
}

/** ten days of 4-hour means (one per point) make the level-shift test's long-run distribution */
function levelHistory(step: number): number {
  return Math.max(100, Math.round((10 * 86400) / step));
}

function newWindowNovelty(step: number, minHistory = 150): WindowNovelty {
  return WindowNovelty.create(windowPoints(step), rangeWindow(step), minHistory);
}

function newLevelShift(step: number, minHistory = 150): LevelShift {
  return new LevelShift(levelPoints(step), levelHistory(step), minHistory);
}

/** after an alarm, weaker repeats are damped with a half-life of 8 hours */
function repeatHalfLife(step: number): number {
  return Math.max(1, (8 * 3600) / step);
}

export function createResidualScorer(
  options: ScorerOptions,
  tuning: ResidualTuning = {},
  predictor: StepPredictor = new OnlinePredictor({ season: seasonFor(options), errorAlpha: tuning.errorAlpha }),
): ResidualScorer {
  return new ResidualScorer(
    options.step,
    predictor,
    new AnomalyLikelihood({ ...LIKELIHOOD_DEFAULTS, ...tuning.likelihood }),
    new AlertState({ threshold: options.threshold }),
    new RangeNovelty(rangeWindow(options.step), tuning.likelihood?.minHistory ?? 150),
    new RangeNovelty(errorWindow(options.step), tuning.likelihood?.minHistory ?? 150),
    newWindowNovelty(options.step, tuning.likelihood?.minHistory),
    newLevelShift(options.step, tuning.likelihood?.minHistory),
    new RepeatSuppressor(repeatHalfLife(options.step)),
    tuning,
  );
}

export const residual: DetectorFactory = {
  name: 'residual',
  summary: 'one-step forecast residual turned into an anomaly likelihood (default)',
  create: (options) => createResidualScorer(options),
  restore: (state, options) => ResidualScorer.restore(state as ResidualState, options),
};
