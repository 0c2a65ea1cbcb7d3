/**
 * Anomaly likelihood: turns a stream of raw per-point surprise values (in [0,1]) into a
 * calibrated tail probability, after the idea Numenta published for HTM (Ahmad et al. 2017): the
 * mean of the last few raw values is compared with the long-run distribution of such means, so
 * one isolated large error in a noisy series scores lower than a run of them in a quiet one, and
 * a series that is always erratic stops alarming once that is its normal. O(1) per point.
 */
import { scoreFromLogTail } from './severity.js';
import { Ring } from './ring.js';

export interface LikelihoodOptions {
  /** raw values averaged into one short-window mean */
  shortWindow?: number;
  /** short-window means kept for the long-run mean and variance */
  longWindow?: number;
  /** means needed before any score other than 0 is given */
  minHistory?: number;
  /** floor on the long-run standard deviation of the means */
  minSigma?: number;
}

export interface LikelihoodState {
  options: Required<LikelihoodOptions>;
  short: number[];
  long: number[];
}

const LN_HALF = Math.log(0.5);
/** share of its surprise a repeat keeps (RepeatSuppressor) */
const REPEAT_DAMPING = 0.5;

/** ln P(Z > z) for a standard normal Z, accurate in the far tail (no underflow). */
export function logNormalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  // Chebyshev fit to erfc with relative error below 1.2e-7 everywhere (Numerical Recipes erfcc)
  const t = 1 / (1 + 0.5 * x);
  const logErfc =
    Math.log(t) -
    x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  if (z >= 0) return LN_HALF + logErfc;
  return Math.log1p(-0.5 * Math.exp(logErfc));
}

export class AnomalyLikelihood {
  private readonly opts: Required<LikelihoodOptions>;
  private readonly short: Ring;
  private readonly long: Ring;

  constructor(options: LikelihoodOptions = {}) {
    this.opts = {
      shortWindow: options.shortWindow ?? 10,
      longWindow: options.longWindow ?? 2880,
      minHistory: options.minHistory ?? 150,
      minSigma: options.minSigma ?? 0.02,
    };
    this.short = new Ring(this.opts.shortWindow);
    this.long = new Ring(this.opts.longWindow);
  }

  /** ln of the tail probability of the current short-window mean; 0 while still learning */
  updateLogTail(raw: number): number {
    this.short.push(raw);
    const mean = this.short.sum / this.short.count;
    const n = this.long.count;
    let logTail = 0;
    if (n >= this.opts.minHistory) {
      const mu = this.long.sum / n;
      const variance = Math.max(0, this.long.sumSq / n - mu * mu);
      const sigma = Math.max(this.opts.minSigma, Math.sqrt(variance));
      logTail = logNormalTail((mean - mu) / sigma);
    }
    this.long.push(mean);
    return logTail;
  }

  /** score in [0,1] on the shared root scale (see severity.ts) */
  update(raw: number): number {
    return scoreFromLogTail(this.updateLogTail(raw));
  }

  toJSON(): LikelihoodState {
    return { options: this.opts, short: this.short.values(), long: this.long.values() };
  }

  static restore(state: LikelihoodState): AnomalyLikelihood {
    const restored = new AnomalyLikelihood(state.options);
    // replaying the means rebuilds the rings and their sums exactly
    for (const m of state.long) restored.long.push(m);
    for (const r of state.short) restored.short.push(r);
    return restored;
  }
}

export interface RepeatSuppressorState {
  halfLife: number;
  peak: number;
}

/**
 * Damps repeats of an alarm that is already firing. `peak` remembers the largest recent surprise
 * (-ln tail), decaying with `halfLife` points; a point no more surprising than that peak keeps only
 * half its surprise, so it sorts below the alarm that preceded it whatever the threshold, while a
 * new, larger surprise passes unchanged. One alert per incident is what an operator (and NAB,
 * which counts the first detection in a window and every false positive) wants.
 */
export class RepeatSuppressor {
  private peak = 0;
  private readonly decay: number;

  constructor(private readonly halfLife: number) {
    if (!(halfLife > 0)) throw new RangeError(`halfLife must be > 0, got ${halfLife}`);
    this.decay = Math.exp(-Math.LN2 / halfLife);
  }

  /** ln tail in, damped ln tail out (both <= 0) */
  update(logTail: number): number {
    const s = logTail < 0 ? -logTail : 0;
    const out = s > this.peak ? s : s * REPEAT_DAMPING;
    this.peak = Math.max(this.peak * this.decay, s);
    return -out;
  }

  toJSON(): RepeatSuppressorState {
    return { halfLife: this.halfLife, peak: this.peak };
  }

  static restore(state: RepeatSuppressorState): RepeatSuppressor {
    const restored = new RepeatSuppressor(state.halfLife);
    restored.peak = Number(state.peak) || 0;
    return restored;
  }
}
