/**
 * Prometheus-style counters (totals that only grow, apart from resets to zero when a process
 * restarts) make every point a new maximum, so a detector must score their increase, as `rate()`
 * would. CounterView watches the first points of each aligned metric, decides whether it behaves
 * like a counter, then hands the detector every point (the watched ones replayed, so nothing is
 * lost or shifted): a gauge's value as it is, a counter's increase per step. A drop is a reset:
 * that step's increase is unknown (counts before the restart were lost), so it is handed on as a
 * gap rather than as a dip.
 */
import { carve } from '../../util/carve.js';

/** points watched before deciding */
export const COUNTER_PROBE = 48;
/** share of steps that must not go down, and that must go up */
const NOT_DOWN = 0.95;
const UP = 0.5;

/** what the probe arrays are once decided */
const DECIDED = new Float64Array(0);

export type CounterSink = (t: number, values: Float64Array) => void;

export class CounterView {
  /** the watched points: their own buffer, let go once decided (768 bytes a scorer otherwise idle) */
  private probeT: Float64Array;
  private probeV: Float64Array;
  private probed = 0;
  private readonly notDown: Float64Array;
  private readonly up: Float64Array;
  private readonly steps: Float64Array;
  /** per metric: last finite value and its time, and the value before it (for `value`) */
  private readonly last: Float64Array;
  private readonly lastT: Float64Array;
  private readonly base: Float64Array;
  private readonly gap: Float64Array;
  private readonly out: Float64Array;
  /** per metric, once decided */
  counters: boolean[] | undefined;

  constructor(
    private readonly step: number,
    private readonly metrics = 1,
  ) {
    const probe = carve((c) => ({ probeT: c.f64(COUNTER_PROBE), probeV: c.f64(COUNTER_PROBE * metrics) }));
    this.probeT = probe.probeT;
    this.probeV = probe.probeV;
    // one buffer for the rest (util/carve.ts)
    const parts = carve((c) => ({
      notDown: c.f64(metrics),
      up: c.f64(metrics),
      steps: c.f64(metrics),
      last: c.f64(metrics).fill(NaN),
      lastT: c.f64(metrics).fill(NaN),
      base: c.f64(metrics),
      gap: c.f64(metrics).fill(1),
      out: c.f64(metrics),
    }));
    this.notDown = parts.notDown;
    this.up = parts.up;
    this.steps = parts.steps;
    this.last = parts.last;
    this.lastT = parts.lastT;
    this.base = parts.base;
    this.gap = parts.gap;
    this.out = parts.out;
  }

  /** whether the (first) metric is a counter; undefined while watching */
  get isCounter(): boolean | undefined {
    return this.counters?.[0];
  }

  /** takes the next aligned values and calls `sink` for every point ready to score (none while watching) */
  push(t: number, values: ArrayLike<number>, sink: CounterSink): void {
    if (this.counters) {
      this.emit(t, values, sink);
      return;
    }
    for (let m = 0; m < this.metrics; m++) {
      const v = values[m];
      const previous = this.last[m];
      if (Number.isFinite(v)) {
        if (Number.isFinite(previous)) {
          this.steps[m]++;
          if (v >= previous) this.notDown[m]++;
          if (v > previous) this.up[m]++;
        }
        this.last[m] = v;
      }
      this.probeV[this.probed * this.metrics + m] = v;
    }
    this.probeT[this.probed++] = t;
    if (this.probed < COUNTER_PROBE) return;
    this.counters = Array.from(
      { length: this.metrics },
      (_, m) =>
        this.steps[m] > 0 &&
        this.notDown[m] >= NOT_DOWN * this.steps[m] &&
        this.up[m] >= UP * this.steps[m] &&
        this.last[m] >= 0,
    );
    this.last.fill(NaN);
    for (let i = 0; i < this.probed; i++) {
      this.emit(this.probeT[i], this.probeV.subarray(i * this.metrics, (i + 1) * this.metrics), sink);
    }
    this.probeT = this.probeV = DECIDED;
  }

  private emit(t: number, values: ArrayLike<number>, sink: CounterSink): void {
    for (let m = 0; m < this.metrics; m++) {
      const v = values[m];
      if (!this.counters![m] || !Number.isFinite(v)) {
        this.out[m] = v;
        continue;
      }
      const previous = this.last[m];
      this.gap[m] = Number.isFinite(previous) ? Math.max(1, Math.round((t - this.lastT[m]) / this.step)) : 1;
      this.base[m] = Number.isFinite(previous) && v >= previous ? previous : 0;
      // after a reset the increase over the step is unknown (part of it was lost): a gap
      this.out[m] = Number.isFinite(previous) && v >= previous ? (v - previous) / this.gap[m] : NaN;
      this.last[m] = v;
      this.lastT[m] = t;
    }
    sink(t, this.out);
  }

  /** the value of metric `m` that a scored quantity (an expected increase, a band edge) stands for */
  value(scored: number, m = 0): number {
    return this.counters?.[m] ? this.base[m] + scored * this.gap[m] : scored;
  }
}
