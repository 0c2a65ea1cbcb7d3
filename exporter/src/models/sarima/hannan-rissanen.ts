/**
 * ARMA estimation by Hannan-Rissanen: a long autoregression gives residual estimates, then the
 * ARMA coefficients come from one least-squares regression on lagged values and lagged residuals.
 * Candidates are scored by the conditional sum of squares of their own recursive one-step errors
 * over a common range, so AIC compares like with like (including across differencing orders,
 * because the errors are one-step errors of the same undifferenced series).
 */
import { leastSquares } from './least-squares.js';

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
  const { ar, ma, constant } = fit;
  const n = w.length;
  const e = new Float64Array(n);
  for (let t = from; t < n; t++) {
    let pred = constant;
    for (let i = 0; i < ar.length; i++) pred += ar[i] * w[t - 1 - i];
    for (let j = 0; j < ma.length; j++) pred += ma[j] * e[t - 1 - j];
    e[t] = w[t] - pred;
  }
  return e;
}

/**
 * Fit one ARMA order on w given long-AR residuals `innovations`; regression rows start at
 * `from`, SSE is summed over the last `scoreCount` points. Undefined for a non-stationary or
 * non-invertible estimate (checked by the sufficient condition sum|coef| < 1).
 */
export function fitArmaOrder(
  w: Float64Array,
  innovations: Float64Array,
  order: ArmaOrder,
  from: number,
  scoreCount: number,
): ArmaFit | undefined {
  const n = w.length;
  const rows = n - from;
  const lags: number[] = [];
  for (let i = 1; i <= order.p; i++) lags.push(i);
  if (order.seasonalLag > order.p) lags.push(order.seasonalLag);
  const columns: Float64Array[] = [];
  if (order.constant) columns.push(new Float64Array(rows).fill(1));
  for (const lag of lags) columns.push(w.subarray(from - lag, n - lag));
  for (let j = 1; j <= order.q; j++) columns.push(innovations.subarray(from - j, n - j));
  const coef = columns.length > 0 ? leastSquares(columns, w.subarray(from)) : new Float64Array(0);
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
