/**
 * Shared streaming shell of the tree detectors: keeps a sliding window of raw points and their
 * feature vectors, trains a model on the warm-up history, retrains it every `retrainEvery`
 * points on the latest window, and scores each point with the model trained before it (causal).
 */
import type { Detection, ScorerOptions, SeriesScorer } from '../types.js';
import { AlertState, scoreFromLogTail } from './severity.js';
import { FeatureExtractor } from './features.js';

export interface TrainedScorer {
  /** ln tail probability of a feature vector being normal (0 = ordinary) */
  logTail(features: number[]): number;
}

export interface TrainingData {
  /** raw aligned values per point, oldest first */
  values: number[][];
  /** feature vectors of those points */
  features: number[][];
  seed: number;
}

export type Trainer = (data: TrainingData) => TrainedScorer;

export interface WindowOptions {
  warmup: number;
  retrainEvery: number;
  window: number;
  metrics: number;
}

export function windowOptionsFor(options: ScorerOptions, metrics = 1): WindowOptions {
  const day = Math.max(24, Math.round(86400 / options.step));
  // one day of warm-up (NAB's probation is about two), retrain daily on the last week
  return { warmup: Math.min(day, 600), retrainEvery: day, window: day * 7, metrics };
}

export class WindowedTreeScorer implements SeriesScorer {
  private readonly extractor: FeatureExtractor;
  private readonly values: number[][] = [];
  private readonly features: number[][] = [];
  private model: TrainedScorer | undefined;
  private sinceTrain = 0;
  private trainings = 0;
  private last: Detection = { score: 0, isAnomaly: false, severity: 0 };
  private readonly alert: AlertState;

  constructor(
    private readonly trainer: Trainer,
    private readonly win: WindowOptions,
    private readonly options: ScorerOptions,
  ) {
    this.extractor = new FeatureExtractor(win.metrics);
    this.alert = new AlertState({ threshold: options.threshold });
  }

  score(_t: number, v: number): Detection {
    return this.scoreVector(_t, [v]);
  }

  /** aligned values of several metrics of one instance (CPU, memory, network...) */
  scoreVector(_t: number, values: number[]): Detection {
    if (!values.some(Number.isFinite)) return this.last;
    const features = this.extractor.next(values);
    let score = 0;
    if (this.model) score = scoreFromLogTail(this.model.logTail(features));
    this.values.push(values);
    this.features.push(features);
    if (this.values.length > this.win.window) {
      this.values.shift();
      this.features.shift();
    }
    this.sinceTrain++;
    const due = this.model ? this.sinceTrain >= this.win.retrainEvery : this.values.length >= this.win.warmup;
    if (due) {
      const seed = (this.options.seed ?? 1) + this.trainings++;
      this.model = this.trainer({ values: this.values, features: this.features, seed });
      this.sinceTrain = 0;
    }
    const status = this.alert.update(score);
    this.last = { score, isAnomaly: status.isAnomaly, severity: status.severity };
    return this.last;
  }

  toJSON(): unknown {
    // the model is rebuilt from the window on restore: trees are cheap, state stays small
    return { values: this.values };
  }

  replay(values: number[][]): void {
    for (const v of values) this.scoreVector(0, v);
  }
}
