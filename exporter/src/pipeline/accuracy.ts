/**
 * Live accuracy: remember each forecast until its target time arrives, then compare it with what
 * happened. A rolling window of absolute errors and band hits per horizon gives
 * `cloudpulse_forecast_mase` and `cloudpulse_forecast_coverage`, so a model going bad shows.
 *
 * Memory is a few typed arrays per series: pending forecasts sit in a small ring per horizon,
 * indexed by their target slot on the step grid (a horizon h steps ahead needs h + 2 slots: a slot
 * is reused only once its target has passed), and the windows are rings with running sums.
 */
import { carve } from '../util/carve.js';
import type { HorizonAccuracy } from '../store/record.js';

export class AccuracyTracker {
  /** per horizon: ring size and where its ring starts in the pending arrays */
  private readonly slots: Int32Array;
  private readonly base: Int32Array;
  private readonly steps: Int32Array;
  private readonly pendT: Float64Array;
  /** Float32: an error or a band hit needs no more than the forecast's own precision */
  private readonly pendY: Float32Array;
  /** [horizon][level][slot] lower then upper */
  private readonly pendBand: Float32Array;
  private readonly err: Float32Array;
  /** band hits, one bit each: [horizon][level][window slot] */
  private readonly hits: Uint8Array;
  private readonly errSum: Float64Array;
  private readonly hitSum: Int32Array;
  private readonly count: Int32Array;
  private readonly next: Int32Array;
  /** running mean of |y_t - y_{t-1}|: the naive scale */
  private scaleSum = 0;
  private scaleCount = 0;
  private lastValue = NaN;

  constructor(
    /** horizons in seconds */
    readonly horizons: number[],
    readonly levels: number[],
    readonly step: number,
    /** evaluations kept per horizon */
    private readonly window = 288,
  ) {
    const H = horizons.length;
    const L = levels.length;
    const steps = horizons.map((h) => Math.max(1, Math.round(h / step)));
    // a ring of h + 2 slots per horizon
    const total = steps.reduce((sum, s) => sum + s + 2, 0);
    // one buffer for all (util/carve.ts)
    const parts = carve((c) => ({
      steps: c.i32(H),
      slots: c.i32(H),
      base: c.i32(H),
      pendT: c.f64(total).fill(NaN),
      pendY: c.f32(total),
      pendBand: c.f32(total * L * 2),
      errSum: c.f64(H),
      err: c.f32(H * window),
      hitSum: c.i32(H * L),
      count: c.i32(H),
      next: c.i32(H),
      hits: c.u8(Math.ceil((H * L * window) / 8)),
    }));
    this.steps = parts.steps;
    this.slots = parts.slots;
    this.base = parts.base;
    for (let h = 0; h < H; h++) {
      this.steps[h] = steps[h];
      this.slots[h] = steps[h] + 2;
      if (h > 0) this.base[h] = this.base[h - 1] + this.slots[h - 1];
    }
    this.pendT = parts.pendT;
    this.pendY = parts.pendY;
    this.pendBand = parts.pendBand;
    this.errSum = parts.errSum;
    this.err = parts.err;
    this.hitSum = parts.hitSum;
    this.count = parts.count;
    this.next = parts.next;
    this.hits = parts.hits;
  }

  /** index into the pending arrays of the slot for target time `t` at horizon `h` */
  private slotOf(h: number, t: number): number {
    const n = this.slots[h];
    const k = Math.round(t / this.step) % n;
    return this.base[h] + (k < 0 ? k + n : k);
  }

  /**
   * Record the forecast made at `origin`: `point[i]` and `lower[k][i]`/`upper[k][i]` are steps
   * i+1 ahead, levels in the tracker's order.
   */
  record(origin: number, point: ArrayLike<number>, lower: ArrayLike<number>[], upper: ArrayLike<number>[]): void {
    const L = this.levels.length;
    for (let h = 0; h < this.horizons.length; h++) {
      const i = this.steps[h] - 1;
      if (i >= point.length) continue;
      const target = origin + this.steps[h] * this.step;
      const at = this.slotOf(h, target);
      this.pendT[at] = target;
      this.pendY[at] = point[i];
      for (let k = 0; k < L; k++) {
        const b = (at * L + k) * 2;
        this.pendBand[b] = lower[k]?.[i] ?? NaN;
        this.pendBand[b + 1] = upper[k]?.[i] ?? NaN;
      }
    }
  }

  /** A new actual observation. */
  observe(t: number, value: number): void {
    if (!Number.isFinite(value)) return;
    if (Number.isFinite(this.lastValue)) {
      this.scaleSum += Math.abs(value - this.lastValue);
      this.scaleCount++;
    }
    this.lastValue = value;
    const L = this.levels.length;
    for (let h = 0; h < this.horizons.length; h++) {
      const at = this.slotOf(h, t);
      if (this.pendT[at] !== t) continue;
      this.pendT[at] = NaN;
      const w = this.next[h];
      const full = this.count[h] >= this.window;
      const e = Math.abs(value - this.pendY[at]);
      if (full) this.errSum[h] -= this.err[h * this.window + w];
      this.err[h * this.window + w] = e;
      this.errSum[h] += this.err[h * this.window + w];
      for (let k = 0; k < L; k++) {
        const b = (at * L + k) * 2;
        const hit = value >= this.pendBand[b] && value <= this.pendBand[b + 1] ? 1 : 0;
        const hi = (h * L + k) * this.window + w;
        const byte = hi >> 3;
        const bit = 1 << (hi & 7);
        if (full && this.hits[byte] & bit) this.hitSum[h * L + k]--;
        this.hits[byte] = hit ? this.hits[byte] | bit : this.hits[byte] & ~bit;
        this.hitSum[h * L + k] += hit;
      }
      this.next[h] = (w + 1) % this.window;
      if (!full) this.count[h]++;
    }
  }

  summary(): HorizonAccuracy[] {
    const scale = this.scaleCount > 0 ? this.scaleSum / this.scaleCount : NaN;
    const L = this.levels.length;
    return this.horizons.map((horizon, h) => {
      const n = this.count[h];
      const coverage: Record<string, number> = {};
      for (let k = 0; k < L; k++) coverage[String(this.levels[k])] = n > 0 ? this.hitSum[h * L + k] / n : NaN;
      const mase = n > 0 && scale > 0 ? this.errSum[h] / n / scale : NaN;
      return { horizon, mase, coverage, evaluated: n };
    });
  }
}
