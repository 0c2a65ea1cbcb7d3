/**
 * Sliding minimum and maximum over roughly the last `window` points in fixed memory: the window
 * is cut into `blocks` blocks, each remembered by its own min and max, so the range covers between
 * window * (1 - 1/blocks) and window points. Exact monotonic queues keep up to `window` entries
 * for a monotone series (a counter), which is far over a per-series budget of a few kilobytes.
 */
export class BlockRange {
  /**
   * Float32, rounded outwards (a block's min down, its max up): a value equal to a past extreme is
   * never outside the range, and a new extreme is missed only within one float32 step of it; block
   * i's min at 2i and its max at 2i + 1, one view (each costs ~100 heap bytes)
   */
  private readonly bounds: Float32Array;
  private readonly blockSize: number;
  /** completed blocks stored (at most BLOCKS - 1 are in the window beside the open one) */
  private stored = 0;
  private next = 0;
  private openMin = Infinity;
  private openMax = -Infinity;
  private openCount = 0;
  private fullMin = Infinity;
  private fullMax = -Infinity;
  /** points absorbed so far */
  n = 0;

  /** `blocks` trades memory (8 bytes a block) for how closely the window follows `window` */
  constructor(
    window: number,
    private readonly blocks = 64,
  ) {
    this.bounds = new Float32Array(2 * blocks);
    this.blockSize = Math.max(1, Math.ceil(window / (blocks - 1)));
  }

  /** points the current range covers */
  get count(): number {
    return this.stored * this.blockSize + this.openCount;
  }

  get min(): number {
    return Math.min(this.fullMin, this.openMin);
  }

  get max(): number {
    return Math.max(this.fullMax, this.openMax);
  }

  push(value: number): void {
    if (value < this.openMin) this.openMin = value;
    if (value > this.openMax) this.openMax = value;
    this.n++;
    if (++this.openCount < this.blockSize) return;
    this.bounds[2 * this.next] = roundDown(this.openMin);
    this.bounds[2 * this.next + 1] = roundUp(this.openMax);
    this.next = (this.next + 1) % (this.blocks - 1);
    this.stored = Math.min(this.blocks - 1, this.stored + 1);
    this.openMin = Infinity;
    this.openMax = -Infinity;
    this.openCount = 0;
    // once per block: the aggregate of the completed blocks
    let lo = Infinity;
    let hi = -Infinity;
    const b = this.bounds;
    for (let i = 0; i < 2 * this.stored; i += 2) {
      if (b[i] < lo) lo = b[i];
      if (b[i + 1] > hi) hi = b[i + 1];
    }
    this.fullMin = lo;
    this.fullMax = hi;
  }
}

const bits = new Float32Array(1);
const word = new Int32Array(bits.buffer);

/** the smallest float32 >= x (x itself when it is one) */
export function roundUp(x: number): number {
  const f = Math.fround(x);
  if (f >= x || Number.isNaN(f)) return f;
  // f < x, both finite or f = -Infinity (x below -FLT_MAX)
  if (f === 0) return 1.401298464324817e-45;
  bits[0] = f;
  word[0] += f > 0 ? 1 : -1;
  return bits[0];
}

/** the largest float32 <= x */
export function roundDown(x: number): number {
  return -roundUp(-x);
}
