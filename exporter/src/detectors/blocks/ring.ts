/** Fixed-length numeric windows with O(1) running moments, for the streaming detectors. */

/** fixed-length ring of numbers with a running sum and sum of squares */
export class Ring {
  private readonly buf: Float64Array;
  private next = 0;
  count = 0;
  sum = 0;
  sumSq = 0;
  private sinceExact = 0;

  constructor(readonly size: number) {
    this.buf = new Float64Array(size);
  }

  push(x: number): void {
    if (this.count === this.size) {
      const old = this.buf[this.next];
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.count++;
    this.buf[this.next] = x;
    this.sum += x;
    this.sumSq += x * x;
    this.next = (this.next + 1) % this.size;
    // running sums drift with cancellation; recompute them exactly now and then
    if (++this.sinceExact >= this.size * 4) this.resum();
  }

  private resum(): void {
    this.sinceExact = 0;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < this.count; i++) {
      s += this.buf[i];
      s2 += this.buf[i] * this.buf[i];
    }
    this.sum = s;
    this.sumSq = s2;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : NaN;
  }

  /** mean of the oldest `k` values held (NaN when k is 0) */
  headMean(k: number): number {
    let sum = 0;
    const first = this.next - this.count + this.size;
    for (let i = 0; i < k; i++) sum += this.buf[(first + i) % this.size];
    return sum / k;
  }

  /** population standard deviation (0 for fewer than two values) */
  get std(): number {
    if (this.count < 2) return 0;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }
}

/**
 * Exponentially weighted mean and variance with a half-life in points: the long-run distribution
 * of a statistic in O(1) memory (a ring of thousands of points per series would not fit the
 * per-series budget). Warms up as a plain mean, so early values are not over-weighted.
 */
export class RunningMoments {
  private readonly alpha: number;
  count = 0;
  mean = 0;
  private m2 = 0;

  constructor(halfLife: number) {
    this.alpha = 1 - Math.pow(0.5, 1 / Math.max(1, halfLife));
  }

  push(x: number): void {
    this.count++;
    const a = Math.max(this.alpha, 1 / this.count);
    const d = x - this.mean;
    this.mean += a * d;
    this.m2 = (1 - a) * (this.m2 + a * d * d);
  }

  get std(): number {
    return Math.sqrt(Math.max(0, this.m2));
  }
}
