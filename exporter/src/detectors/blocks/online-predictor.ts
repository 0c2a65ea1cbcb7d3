/**
 * A one-step-ahead predictor updated in O(1) per point, for the residual detector: four cheap
 * candidates (last value, short EWMA, value one season ago, last value plus last season's step)
 * each track their own exponentially weighted absolute error, and the one with the smallest
 * error predicts. Written by hand because a full model refit per point costs far more than the
 * 20 µs/point budget, and for one step ahead these candidates are about as accurate.
 */
import { carve } from '../../util/carve.js';

export interface OnlinePredictorOptions {
  /** season length in steps; 0 or 1 disables the seasonal candidates */
  season: number;
  /** weight of the newest error in each candidate's running mean absolute error */
  errorAlpha?: number;
  /** weight of the newest value in the EWMA candidate */
  levelAlpha?: number;
  /** errors are clipped to this many mean absolute errors before they update the scale */
  clip?: number;
}

export interface Prediction {
  expected: number;
  /** robust scale of this candidate's one-step errors (mean absolute error); NaN while learning */
  scale: number;
}

/** what the residual detector needs from a one-step predictor */
export interface StepPredictor {
  readonly seasonLength: number;
  predict(): Prediction;
  update(value: number): void;
  shiftLevel(delta: number): void;
  /** which forecast is answering, for diagnostics */
  readonly chosen: string;
  /** a background fit in progress, if any (replays await it to stay deterministic) */
  pending?(): Promise<void> | undefined;
}

const CANDIDATES = ['last', 'ewma', 'season', 'season_step', 'holt_winters'] as const;
/** Holt-Winters smoothing weights of level and season (slow: the season is averaged over ~10 days) */
const HW_LEVEL = 0.1;
const HW_SEASON = 0.1;
const RANK_ALPHA = 0.005;
const SCALE_FLOOR = 0.3;
/** where each per-candidate statistic starts in `stats` */
const MAE = 0;
const RANK = CANDIDATES.length;
const SEEN = 2 * CANDIDATES.length;
const GUESS = 3 * CANDIDATES.length;

export class OnlinePredictor implements StepPredictor {
  private readonly season: number;
  private readonly errorAlpha: number;
  private readonly levelAlpha: number;
  private readonly clip: number;
  /** last season+1 observed values, oldest first (ring) */
  private readonly history: Float64Array;
  private head = 0;
  private count = 0;
  private level = NaN;
  /**
   * per candidate, at MAE, RANK, SEEN and GUESS + candidate (one view: each costs ~100 heap bytes):
   * its mean absolute error; the unclipped, slower one that picks the candidate (rare big misses
   * must count); the points it has been scored on; its guess for the next point
   */
  private readonly stats: Float64Array;
  private hwLevel = 0;
  /**
   * additive seasonal offsets indexed by count % season; Float32: smoothed estimates, whose rounding
   * moves no score by more than about 1e-7 (the history stays Float64: on a noiseless series the
   * seasonal candidates are exact, and a float32 error in them would read as a new extreme)
   */
  private readonly hwSeason: Float32Array;
  private hwReady = false;

  constructor(options: OnlinePredictorOptions) {
    this.season = options.season > 1 ? Math.floor(options.season) : 0;
    this.errorAlpha = options.errorAlpha ?? 0.02;
    this.levelAlpha = options.levelAlpha ?? 0.3;
    this.clip = options.clip ?? 4;
    // one buffer for all (util/carve.ts)
    const n = CANDIDATES.length;
    const parts = carve((c) => ({
      history: c.f64(this.season + 1),
      hwSeason: c.f32(this.season),
      stats: c.f64(4 * n),
    }));
    this.history = parts.history;
    this.hwSeason = parts.hwSeason;
    this.stats = parts.stats;
    this.stats.fill(NaN, MAE, RANK + n);
  }

  /** additive Holt-Winters without trend, started from the first full season */
  private updateHoltWinters(value: number): void {
    const m = this.season;
    if (m === 0) return;
    const i = this.count % m;
    if (this.hwReady) {
      // robust update: clip the error so an anomaly does not echo one season later
      const guess = this.hwLevel + this.hwSeason[i];
      const limit = this.clip * this.stats[MAE + 4];
      if (Number.isFinite(limit) && this.stats[SEEN + 4] >= 1 / this.errorAlpha) {
        value = guess + Math.max(-limit, Math.min(limit, value - guess));
      }
      const previous = this.hwLevel;
      this.hwLevel = HW_LEVEL * (value - this.hwSeason[i]) + (1 - HW_LEVEL) * previous;
      this.hwSeason[i] = HW_SEASON * (value - this.hwLevel) + (1 - HW_SEASON) * this.hwSeason[i];
      return;
    }
    if (this.count + 1 < m) return;
    // the buffer holds the first season once this value is added: level = its mean
    let sum = value;
    for (let lag = 0; lag < m - 1; lag++) sum += this.back(lag);
    this.hwLevel = sum / m;
    this.hwSeason[i] = value - this.hwLevel;
    for (let lag = 0; lag < m - 1; lag++) this.hwSeason[(i - 1 - lag + m * 2) % m] = this.back(lag) - this.hwLevel;
    this.hwReady = true;
  }

  /** the value `lag` steps before the newest one (lag 0 = newest) */
  private back(lag: number): number {
    const size = this.history.length;
    return this.history[(this.head - 1 - lag + size * 2) % size];
  }

  private fillGuesses(): void {
    const g = this.stats;
    const last = this.count > 0 ? this.back(0) : NaN;
    g[GUESS + 0] = last;
    g[GUESS + 1] = this.level;
    const hasSeason = this.season > 0 && this.count > this.season;
    g[GUESS + 2] = hasSeason ? this.back(this.season - 1) : NaN;
    g[GUESS + 3] = hasSeason ? last + this.back(this.season - 1) - this.back(this.season) : NaN;
    g[GUESS + 4] = this.hwReady ? this.hwLevel + this.hwSeason[this.count % this.season] : NaN;
  }

  /** index of the candidate with the smallest error; warm candidates only */
  private best(): number {
    let best = -1;
    for (let i = 0; i < CANDIDATES.length; i++) {
      if (this.stats[SEEN + i] < 1 / this.errorAlpha || !Number.isFinite(this.stats[GUESS + i])) continue;
      if (best < 0 || this.stats[RANK + i] < this.stats[RANK + best]) best = i;
    }
    return best;
  }

  predict(): Prediction {
    this.fillGuesses();
    const best = this.best();
    if (best < 0) return { expected: this.count > 0 ? this.back(0) : NaN, scale: NaN };
    // the slow error is a floor, so a quiet stretch does not make the next normal point look huge
    return {
      expected: this.stats[GUESS + best],
      scale: Math.max(this.stats[MAE + best], SCALE_FLOOR * this.stats[RANK + best]),
    };
  }

  get seasonLength(): number {
    return this.season;
  }

  /** name of the candidate currently predicting */
  get chosen(): string {
    this.fillGuesses();
    const best = this.best();
    return best < 0 ? 'learning' : CANDIDATES[best];
  }

  /** absorb the next observation (NaN = gap: repeat the prediction so the season stays aligned) */
  update(value: number): void {
    this.fillGuesses();
    if (Number.isFinite(value)) {
      for (let i = 0; i < CANDIDATES.length; i++) {
        const guess = this.stats[GUESS + i];
        if (!Number.isFinite(guess)) continue;
        let err = Math.abs(value - guess);
        const rank = this.stats[RANK + i];
        this.stats[RANK + i] = Number.isNaN(rank)
          ? err
          : rank + Math.max(RANK_ALPHA, 1 / (this.stats[SEEN + i] + 1)) * (err - rank);
        const mae = this.stats[MAE + i];
        if (Number.isNaN(mae)) this.stats[MAE + i] = err;
        else {
          if (this.stats[SEEN + i] >= 1 / this.errorAlpha && mae > 0) err = Math.min(err, this.clip * mae);
          // warm up with a plain mean, then exponential weighting
          const alpha = Math.max(this.errorAlpha, 1 / (this.stats[SEEN + i] + 1));
          this.stats[MAE + i] = mae + alpha * (err - mae);
        }
        this.stats[SEEN + i]++;
      }
      this.level = Number.isNaN(this.level) ? value : this.level + this.levelAlpha * (value - this.level);
    } else {
      const best = this.best();
      value = best >= 0 ? this.stats[GUESS + best] : this.count > 0 ? this.back(0) : NaN;
      if (!Number.isFinite(value)) return;
    }
    this.updateHoltWinters(value);
    this.history[this.head] = value;
    this.head = (this.head + 1) % this.history.length;
    this.count++;
  }

  /**
   * A level shift was confirmed: move the remembered season and level by `delta` so the seasonal
   * candidates predict the new level at once instead of a season later.
   */
  shiftLevel(delta: number): void {
    for (let i = 0; i < this.history.length; i++) this.history[i] += delta;
    if (Number.isFinite(this.level)) this.level += delta;
    this.hwLevel += delta;
  }
}
