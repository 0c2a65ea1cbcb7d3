/**
 * Severity and alert state shared by every detector.
 *
 * Every detector's score is a tail probability on a root scale: score = 1 - q^(1/5), where q is
 * how unlikely the recent behaviour is. Its "surprise" -ln(1 - score) is then proportional to
 * -ln q, so "a deviation 1.5 / 2 / 3 times the threshold" is measured in surprise units and means
 * the same for every detector: with the default threshold 0.97 (q = 2.4e-8), MEDIUM starts at
 * q = 4e-12, HIGH at 6e-16, CRITICAL at 1e-23.
 */
import { SEVERITY, type Severity } from '../types.js';

/** the exponent of the root scale above */
export const SCORE_ROOT = 5;
/**
 * 0.97: both halves of the NAB subset, tuned apart, chose 0.975 for `residual`; on simulated data it
 * is also the best of 0.85-0.97 (docs/benchmarks.md). Lower it per series for more sensitivity.
 */
export const DEFAULT_THRESHOLD = 0.97;

const MEDIUM_RATIO = 1.5;
const HIGH_RATIO = 2;
const CRITICAL_RATIO = 3;

/** surprise (-ln of a tail probability) -> score in [0,1] */
export function scoreFromSurprise(surprise: number): number {
  if (!(surprise > 0)) return 0;
  return 1 - Math.exp(-surprise / SCORE_ROOT);
}

/** surprise of a score: -ln(1 - score), Infinity at 1 */
export function surprise(score: number): number {
  return score >= 1 ? Infinity : -Math.log1p(-Math.max(0, score));
}

/** 0 below the threshold, else 1..4 by how many times the threshold's surprise the score carries */
export function severityOf(score: number, threshold: number): Severity {
  if (!(score >= threshold)) return SEVERITY.none;
  const ratio = surprise(score) / surprise(threshold);
  if (ratio >= CRITICAL_RATIO) return SEVERITY.critical;
  if (ratio >= HIGH_RATIO) return SEVERITY.high;
  if (ratio >= MEDIUM_RATIO) return SEVERITY.medium;
  return SEVERITY.low;
}

export interface AlertOptions {
  threshold?: number;
  /** leave the alert once the score stays below `threshold * exitRatio`... */
  exitRatio?: number;
  /** ...for this many consecutive points */
  exitPoints?: number;
}

export interface AlertStatus {
  isAnomaly: boolean;
  severity: Severity;
}

/**
 * Hysteresis so one noisy point does not flap an alert: enter at the threshold, leave only after
 * `exitPoints` consecutive scores below a lower exit level.
 */
export class AlertState {
  readonly threshold: number;
  private readonly exitLevel: number;
  private readonly exitPoints: number;
  private active = false;
  private quiet = 0;

  constructor(options: AlertOptions = {}) {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold must be in (0,1), got ${threshold}`);
    this.threshold = threshold;
    this.exitLevel = threshold * (options.exitRatio ?? 0.8);
    this.exitPoints = Math.max(1, Math.floor(options.exitPoints ?? 3));
  }

  update(score: number): AlertStatus {
    if (score >= this.threshold) {
      this.active = true;
      this.quiet = 0;
    } else if (this.active) {
      this.quiet = score < this.exitLevel ? this.quiet + 1 : 0;
      if (this.quiet >= this.exitPoints) this.active = false;
    }
    if (!this.active) return { isAnomaly: false, severity: SEVERITY.none };
    // while an alert is held open below the threshold it stays at least LOW
    const severity = severityOf(score, this.threshold);
    return { isAnomaly: true, severity: severity === SEVERITY.none ? SEVERITY.low : severity };
  }

  toJSON(): { active: boolean; quiet: number } {
    return { active: this.active, quiet: this.quiet };
  }

  restore(state: { active: boolean; quiet: number }): void {
    this.active = Boolean(state.active);
    this.quiet = Number(state.quiet) || 0;
  }
}
