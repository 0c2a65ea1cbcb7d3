/**
 * A series' recent history on a regular grid, in one preallocated Float64Array ring (no per-point
 * objects): `capacity` points ending at `lastT`. Gaps are NaN. History stays in double precision
 * because models and detectors read it; everything shown only for display is Float32 elsewhere.
 */
export class History {
  private readonly buf: Float64Array;
  /** index in `buf` of the newest point */
  private head = -1;
  /** points held, at most capacity */
  length = 0;
  /** unix seconds of the newest point, -Infinity when empty */
  lastT = -Infinity;

  constructor(
    readonly step: number,
    readonly capacity: number,
  ) {
    this.buf = new Float64Array(Math.max(2, capacity));
  }

  /** unix seconds of the oldest point held */
  get start(): number {
    return this.lastT - (this.length - 1) * this.step;
  }

  /** the point `i` places from the oldest (0 = oldest) */
  at(i: number): number {
    const cap = this.buf.length;
    return this.buf[(this.head - this.length + 1 + i + cap * 2) % cap];
  }

  push(t: number, v: number): void {
    this.head = (this.head + 1) % this.buf.length;
    this.buf[this.head] = v;
    if (this.length < this.buf.length) this.length++;
    this.lastT = t;
  }

  /**
   * Older points, loaded after the newest (a first load newest first): each fills its slot before
   * the oldest point or an empty (NaN) one inside; points beyond the capacity are left out. Writes
   * in place, so loading a long history in many chunks never copies the ring. Returns how many
   * points were written; non-finite values are written as gaps and not counted.
   */
  writeOlder(timestamps: ArrayLike<number>, values: ArrayLike<number>): number {
    if (this.length === 0) return 0;
    const cap = this.buf.length;
    let written = 0;
    for (let i = 0; i < timestamps.length; i++) {
      const back = Math.round((this.lastT - timestamps[i]) / this.step);
      if (back <= 0 || back >= cap) continue;
      for (let j = this.length; j <= back; j++) this.buf[(this.head - j + cap) % cap] = NaN;
      this.length = Math.max(this.length, back + 1);
      const slot = (this.head - back + cap) % cap;
      if (!Number.isNaN(this.buf[slot]) || !Number.isFinite(values[i])) continue;
      this.buf[slot] = values[i];
      written++;
    }
    return written;
  }

  clear(): void {
    this.head = -1;
    this.length = 0;
    this.lastT = -Infinity;
  }

  /** the newest finite value, NaN when none */
  lastFinite(): number {
    for (let i = this.length - 1; i >= 0; i--) {
      const v = this.at(i);
      if (Number.isFinite(v)) return v;
    }
    return NaN;
  }

  /** a copy of the points after time `t` (exclusive); all of them when `t` is before the start */
  after(t: number): Float64Array {
    const from = Number.isFinite(t) ? Math.max(0, Math.round((t - this.start) / this.step) + 1) : 0;
    return this.slice(from, this.length);
  }

  /** a copy of points [from, to) counted from the oldest */
  slice(from = 0, to = this.length): Float64Array {
    const n = Math.max(0, to - from);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.at(from + i);
    return out;
  }

  /** index of time `t` counted from the oldest, or -1 when not held */
  indexOf(t: number): number {
    const i = Math.round((t - this.start) / this.step);
    return i >= 0 && i < this.length ? i : -1;
  }

  /** bytes held, for memory accounting */
  get bytes(): number {
    return this.buf.byteLength;
  }
}
