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

/** fields of the per-metric state, each `metrics` long: last finite value, its time, base, gap */
const LAST = 0;
const LAST_T = 1;
const BASE = 2;
const GAP = 3;
/** fields of the probe's counts, each `metrics` long */
const NOT_DOWN_N = 0;
const UP_N = 1;
const STEPS_N = 2;

export class CounterView {
  /**
   * the watched points and their step counts: their own buffer, let go once decided (about 1 KB a
   * view that is otherwise idle)
   */
  private probeT: Float64Array;
  private probeV: Float64Array;
  private probeN: Float64Array;
  private probed = 0;
  /**
   * per metric (field f of metric m at f * metrics + m): last finite value and its time, and the
   * value before it and the steps between them (for `value`); one view, as each costs ~100 heap bytes
   */
  private readonly state: Float64Array;
  private readonly out: Float64Array;
  /** per metric, once decided */
  counters: boolean[] | undefined;

  constructor(
    private readonly step: number,
    private readonly metrics = 1,
  ) {
    const probe = carve((c) => ({
      probeT: c.f64(COUNTER_PROBE),
      probeV: c.f64(COUNTER_PROBE * metrics),
      probeN: c.f64(3 * metrics),
    }));
    this.probeT = probe.probeT;
    this.probeV = probe.probeV;
    this.probeN = probe.probeN;
    // one buffer for the rest (util/carve.ts)
    const parts = carve((c) => ({ state: c.f64(4 * metrics), out: c.f64(metrics) }));
    this.state = parts.state;
    this.state.fill(NaN, LAST * metrics, (LAST_T + 1) * metrics);
    this.state.fill(1, GAP * metrics, (GAP + 1) * metrics);
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
    const M = this.metrics;
    const st = this.state;
    const n = this.probeN;
    for (let m = 0; m < M; m++) {
      const v = values[m];
      const previous = st[LAST * M + m];
      if (Number.isFinite(v)) {
        if (Number.isFinite(previous)) {
          n[STEPS_N * M + m]++;
          if (v >= previous) n[NOT_DOWN_N * M + m]++;
          if (v > previous) n[UP_N * M + m]++;
        }
        st[LAST * M + m] = v;
      }
      this.probeV[this.probed * M + m] = v;
    }
    this.probeT[this.probed++] = t;
    if (this.probed < COUNTER_PROBE) return;
    this.counters = Array.from({ length: M }, (_, m) => {
      const steps = n[STEPS_N * M + m];
      return (
        steps > 0 && n[NOT_DOWN_N * M + m] >= NOT_DOWN * steps && n[UP_N * M + m] >= UP * steps && st[LAST * M + m] >= 0
      );
    });
    st.fill(NaN, LAST * M, (LAST + 1) * M);
    for (let i = 0; i < this.probed; i++) {
      this.emit(this.probeT[i], this.probeV.subarray(i * M, (i + 1) * M), sink);
    }
    this.probeT = this.probeV = this.probeN = DECIDED;
  }

  private emit(t: number, values: ArrayLike<number>, sink: CounterSink): void {
    const M = this.metrics;
    const st = this.state;
    for (let m = 0; m < M; m++) {
      const v = values[m];
      if (!this.counters![m] || !Number.isFinite(v)) {
        this.out[m] = v;
        continue;
      }
      const previous = st[LAST * M + m];
      const gap = Number.isFinite(previous) ? Math.max(1, Math.round((t - st[LAST_T * M + m]) / this.step)) : 1;
      st[GAP * M + m] = gap;
      st[BASE * M + m] = Number.isFinite(previous) && v >= previous ? previous : 0;
      // after a reset the increase over the step is unknown (part of it was lost): a gap
      this.out[m] = Number.isFinite(previous) && v >= previous ? (v - previous) / gap : NaN;
      st[LAST * M + m] = v;
      st[LAST_T * M + m] = t;
    }
    sink(t, this.out);
  }

  /** the value of metric `m` that a scored quantity (an expected increase, a band edge) stands for */
  value(scored: number, m = 0): number {
    const M = this.metrics;
    return this.counters?.[m] ? this.state[BASE * M + m] + scored * this.state[GAP * M + m] : scored;
  }
}
