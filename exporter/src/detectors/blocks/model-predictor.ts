/**
 * A registry forecasting model (ets, lstm, ...) as a one-step predictor for the residual
 * machinery: fitted on the warm-up history, then `update([v])` + `forecast(1)` per point, refit
 * periodically. Fits are asynchronous, so until the first fit resolves (and while catching up)
 * the online predictor answers; `pending()` lets offline replays wait for a fit to land.
 */
import type { FittedModel, ModelFactory } from '../../models/types.js';
import { OnlinePredictor, type Prediction, type StepPredictor } from './online-predictor.js';

const ERROR_ALPHA = 0.02;
const CLIP = 4;

export interface ModelPredictorOptions {
  step: number;
  seasonLengths?: number[];
  warmup: number;
  refitEvery: number;
  /** points kept for fitting */
  window: number;
  seed?: number;
}

export class ModelPredictor implements StepPredictor {
  private readonly history: number[] = [];
  private model: FittedModel | undefined;
  private fitting: Promise<void> | undefined;
  /** values seen since the running fit took its snapshot */
  private backlog: number[] = [];
  private sinceFit = 0;
  private mae = NaN;
  private seen = 0;
  private expected = NaN;
  /** last fit failure, kept for diagnostics; the online predictor keeps answering */
  lastError: Error | undefined;

  constructor(
    private readonly factory: ModelFactory,
    private readonly opts: ModelPredictorOptions,
    private readonly fallback: OnlinePredictor,
  ) {}

  get seasonLength(): number {
    return this.fallback.seasonLength;
  }

  predict(): Prediction {
    if (!this.model) return this.fallback.predict();
    // the model's guess is needed to learn its error scale even while the fallback still answers
    this.expected = this.model.forecast(1, []).point[0];
    if (this.seen < 1 / ERROR_ALPHA) return this.fallback.predict();
    return { expected: this.expected, scale: this.mae };
  }

  update(value: number): void {
    this.fallback.update(value);
    if (this.model) {
      const guess = this.expected;
      if (Number.isFinite(value) && Number.isFinite(guess)) {
        let err = Math.abs(value - guess);
        if (this.seen >= 1 / ERROR_ALPHA) err = Math.min(err, CLIP * this.mae);
        this.mae = Number.isNaN(this.mae)
          ? err
          : this.mae + Math.max(ERROR_ALPHA, 1 / (this.seen + 1)) * (err - this.mae);
        this.seen++;
      }
      this.model.update([value]);
      this.expected = NaN;
    }
    this.history.push(value);
    if (this.history.length > this.opts.window) this.history.shift();
    if (this.fitting) this.backlog.push(value);
    this.sinceFit++;
    const due = this.model ? this.sinceFit >= this.opts.refitEvery : this.history.length >= this.opts.warmup;
    if (due && !this.fitting) this.startFit();
  }

  private startFit(): void {
    this.sinceFit = 0;
    this.backlog = [];
    const snapshot = Float64Array.from(this.history);
    this.fitting = this.factory
      .fit(
        { values: snapshot, step: this.opts.step, start: 0 },
        { seasonLengths: this.opts.seasonLengths, seed: this.opts.seed },
      )
      .then(
        (model) => {
          // catch up with what arrived while fitting
          if (this.backlog.length) model.update(this.backlog);
          this.model = model;
        },
        (err: Error) => {
          this.lastError = err;
        },
      )
      .finally(() => {
        this.fitting = undefined;
        this.backlog = [];
      });
  }

  shiftLevel(delta: number): void {
    this.fallback.shiftLevel(delta);
    // the model cannot be shifted in place: refit on the next point
    this.sinceFit = this.opts.refitEvery;
  }

  pending(): Promise<void> | undefined {
    return this.fitting;
  }

  get chosen(): string {
    return this.model && this.seen >= 1 / ERROR_ALPHA ? this.factory.name : this.fallback.chosen;
  }
}
