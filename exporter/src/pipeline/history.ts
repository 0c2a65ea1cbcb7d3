/**
 * A series' recent history on a regular grid, in one preallocated ring (no per-point objects):
 * `capacity` points ending at `lastT`. Gaps are NaN. Values are held in single precision as
 * differences from a reference near them, so the error is relative to the window's range, not to
 * the values' size: a counter at 1e12 rising by 1 a step keeps its steps, and half the memory of
 * doubles goes (16 KB a series at 7 days of 5 minutes). The reference moves to the newest value
 * each time the ring has turned over once, so a series that drifts for months loses nothing.
 */
export class History {
  private readonly buf: Float32Array;
  /** what the held differences are relative to; NaN until the first finite value */
  private ref = NaN;
  private sinceRebase = 0;
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
    this.buf = new Float32Array(Math.max(2, capacity));
  }

  /** unix seconds of the oldest point held */
  get start(): number {
    return this.lastT - (this.length - 1) * this.step;
  }

  /** the point `i` places from the oldest (0 = oldest) */
  at(i: number): number {
    const cap = this.buf.length;
    return this.ref + this.buf[(this.head - this.length + 1 + i + cap * 2) % cap];
  }

  push(t: number, v: number): void {
    if (Number.isNaN(this.ref) && Number.isFinite(v)) this.ref = v;
    this.head = (this.head + 1) % this.buf.length;
    this.buf[this.head] = v - this.ref;
    if (this.length < this.buf.length) this.length++;
    this.lastT = t;
    if (++this.sinceRebase >= this.buf.length && Number.isFinite(v)) this.rebase(v);
  }

  /** hold every value relative to `ref` from now on (one rounding per value per turn of the ring) */
  private rebase(ref: number): void {
    const buf = this.buf;
    for (let i = 0; i < buf.length; i++) buf[i] = buf[i] + this.ref - ref;
    this.ref = ref;
    this.sinceRebase = 0;
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
      if (Number.isNaN(this.ref)) this.ref = values[i];
      this.buf[slot] = values[i] - this.ref;
      written++;
    }
    return written;
  }

  clear(): void {
    this.ref = NaN;
    this.sinceRebase = 0;
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
