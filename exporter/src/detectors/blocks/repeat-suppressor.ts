/**
 * Damps repeats of an alarm that is already firing. `peak` remembers the largest recent surprise
 * (-ln tail), decaying with `halfLife` points; a point no more surprising than that peak keeps only
 * half its surprise, so it sorts below the alarm that preceded it whatever the threshold, while a
 * new, larger surprise passes unchanged. One alert per incident is what an operator (and NAB,
 * which counts the first detection in a window and every false positive) wants.
 */

/** share of its surprise a repeat keeps */
const REPEAT_DAMPING = 0.5;

export class RepeatSuppressor {
  private peak = 0;
  private readonly decay: number;

  constructor(halfLife: number) {
    if (!(halfLife > 0)) throw new RangeError(`halfLife must be > 0, got ${halfLife}`);
    this.decay = Math.exp(-Math.LN2 / halfLife);
  }

  /** surprise in, damped surprise out (both >= 0) */
  update(surprise: number): number {
    const s = surprise > 0 ? surprise : 0;
    const out = s > this.peak ? s : s * REPEAT_DAMPING;
    this.peak = Math.max(this.peak * this.decay, s);
    return out;
  }
}
