/**
 * ARMA estimation by Hannan-Rissanen: a long autoregression gives residual estimates, then the
 * ARMA coefficients come from one least-squares regression on lagged values and lagged residuals.
 * Candidates are scored by the conditional sum of squares of their own recursive one-step errors
 * over a common range, so AIC compares like with like (including across differencing orders,
 * because the errors are one-step errors of the same undifferenced series).
 */
import { normalEquations, solveNormal, type NormalEquations } from './least-squares.js';

export interface ArmaOrder {
  p: number;
  q: number;
  /** lag of one extra (short-season) autoregressive term, 0 for none */
  seasonalLag: number;
  constant: boolean;
}

export interface ArmaFit {
  /** dense AR coefficients by lag: ar[i] multiplies w[t - 1 - i] */
  ar: number[];
  /** ma[j] multiplies e[t - 1 - j] */
  ma: number[];
  constant: number;
  sse: number;
  count: number;
}

/** Residuals of a long AR(order) fitted by Levinson-Durbin on the demeaned series (0 before `order`). */
export function longArResiduals(w: Float64Array, order: number): Float64Array {
  const n = w.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += w[i];
  mean /= n;
  const gamma = new Float64Array(order + 1);
  for (let lag = 0; lag <= order; lag++) {
    let s = 0;
    for (let t = lag; t < n; t++) s += (w[t] - mean) * (w[t - lag] - mean);
    gamma[lag] = s / n;
  }
  const phi = new Float64Array(order);
  const e = new Float64Array(n);
  if (!(gamma[0] > 0)) return e;
  let v = gamma[0];
  const prev = new Float64Array(order);
  for (let k = 0; k < order; k++) {
    let acc = gamma[k + 1];
    for (let j = 0; j < k; j++) acc -= phi[j] * gamma[k - j];
    const reflection = acc / v;
    prev.set(phi);
    phi[k] = reflection;
    for (let j = 0; j < k; j++) phi[j] = prev[j] - reflection * prev[k - 1 - j];
    v *= 1 - reflection * reflection;
    if (!(v > 0)) break;
  }
  for (let t = order; t < n; t++) {
    let pred = mean;
    for (let j = 0; j < order; j++) pred += phi[j] * (w[t - 1 - j] - mean);
    e[t] = w[t] - pred;
  }
  return e;
}

/** One-step errors of the ARMA recursion over w[from..), conditional on zero earlier errors. */
export function armaErrors(w: Float64Array, fit: Omit<ArmaFit, 'sse' | 'count'>, from: number): Float64Array {
  const { ma, constant } = fit;
  // the AR terms are dense by lag but mostly zero (an hourly lag of 12 or 60 steps next to lags
  // 1 and 2): only the nonzero ones are summed, which on finite w gives the same sums
  const arLags: number[] = [];
  const arCoef: number[] = [];
  fit.ar.forEach((c, i) => {
    if (c !== 0) {
      arLags.push(i + 1);
      arCoef.push(c);
    }
  });
  const n = w.length;
  const e = new Float64Array(n);
  for (let t = from; t < n; t++) {
    let pred = constant;
    for (let i = 0; i < arLags.length; i++) pred += arCoef[i] * w[t - arLags[i]];
    for (let j = 0; j < ma.length; j++) pred += ma[j] * e[t - 1 - j];
    e[t] = w[t] - pred;
  }
  return e;
}

/**
 * The regression every order of one differencing shares: rows from `from`, regressors drawn from
 * a pool of a constant, the given lags of w and the first `maxQ` lags of the innovations. Its
 * normal equations are summed once; each order solves its own subset (the same sums, in the same
 * order, as a regression on that subset alone).
 */
export interface ArmaDesign {
  w: Float64Array;
  equations: NormalEquations;
  /** pool index of the constant (-1 when none), of each lag of w, of innovation lag j (1-based) */
  constantAt: number;
  lagAt: ReadonlyMap<number, number>;
  innovationAt: readonly number[];
}

export function armaDesign(
  w: Float64Array,
  innovations: Float64Array,
  from: number,
  pool: { constant: boolean; lags: readonly number[]; maxQ: number },
): ArmaDesign {
  const n = w.length;
  const rows = n - from;
  const columns: Float64Array[] = [];
  const constantAt = pool.constant ? columns.push(new Float64Array(rows).fill(1)) - 1 : -1;
  const lags = [...new Set(pool.lags)].sort((a, b) => a - b);
  const lagAt = new Map<number, number>();
  for (const lag of lags) lagAt.set(lag, columns.push(w.subarray(from - lag, n - lag)) - 1);
  const innovationAt = [-1];
  for (let j = 1; j <= pool.maxQ; j++) innovationAt.push(columns.push(innovations.subarray(from - j, n - j)) - 1);
  return { w, equations: normalEquations(columns, w.subarray(from)), constantAt, lagAt, innovationAt };
}

/**
 * Fit one ARMA order from a shared design (its pool must hold the order's lags, innovations and
 * constant); SSE is summed over the last `scoreCount` points. Undefined for a non-stationary or
 * non-invertible estimate (checked by the sufficient condition sum|coef| < 1).
 */
export function fitArmaOrder(design: ArmaDesign, order: ArmaOrder, scoreCount: number): ArmaFit | undefined {
  const { w } = design;
  const n = w.length;
  const lags: number[] = [];
  for (let i = 1; i <= order.p; i++) lags.push(i);
  if (order.seasonalLag > order.p) lags.push(order.seasonalLag);
  const use: number[] = [];
  if (order.constant) use.push(design.constantAt);
  for (const lag of lags) use.push(design.lagAt.get(lag)!);
  for (let j = 1; j <= order.q; j++) use.push(design.innovationAt[j]);
  if (use.some((i) => !(i >= 0))) throw new RangeError(`ARMA order outside its design's pool`);
  const coef = use.length > 0 ? solveNormal(design.equations, use) : new Float64Array(0);
  if (!coef) return undefined;
  let k = 0;
  const constant = order.constant ? coef[k++] : 0;
  const maxLag = lags.length ? lags[lags.length - 1] : 0;
  const ar = new Array<number>(maxLag).fill(0);
  for (const lag of lags) ar[lag - 1] = coef[k++];
  const ma: number[] = [];
  for (let j = 0; j < order.q; j++) ma.push(coef[k++]);
  const sumAbs = (xs: number[]): number => xs.reduce((s, x) => s + Math.abs(x), 0);
  if (sumAbs(ar) >= 0.999 || sumAbs(ma) >= 0.98) return undefined;
  const e = armaErrors(w, { ar, ma, constant }, Math.max(maxLag, order.q));
  let sse = 0;
  for (let t = n - scoreCount; t < n; t++) sse += e[t] * e[t];
  if (!Number.isFinite(sse)) return undefined;
  return { ar, ma, constant, sse, count: scoreCount };
}
