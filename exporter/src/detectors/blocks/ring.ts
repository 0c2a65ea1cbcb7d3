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

  /** population standard deviation (0 for fewer than two values) */
  get std(): number {
    if (this.count < 2) return 0;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }

  values(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.buf[(this.next - this.count + i + this.size * 2) % this.size]);
    return out;
  }
}
