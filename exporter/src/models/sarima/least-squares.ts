/**
 * Ordinary least squares on a few regressors via the normal equations and a Cholesky solve.
 * A tiny ridge keeps nearly collinear designs (e.g. a constant next to a slowly moving lag)
 * solvable; it is negligible next to the data's own scale.
 */

/** The normal equations of a pool of regressors: X'X (row-major, k x k) and X'y. */
export interface NormalEquations {
  k: number;
  gram: Float64Array;
  rhs: Float64Array;
}

/** X'X and X'y where `columns[j][i]` is regressor j at row i. */
export function normalEquations(columns: Float64Array[], y: Float64Array): NormalEquations {
  const k = columns.length;
  const n = y.length;
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const ci = columns[i];
    let s = 0;
    for (let t = 0; t < n; t++) s += ci[t] * y[t];
    rhs[i] = s;
    for (let j = 0; j <= i; j++) {
      const cj = columns[j];
      let sij = 0;
      for (let t = 0; t < n; t++) sij += ci[t] * cj[t];
      gram[i * k + j] = sij;
      gram[j * k + i] = sij;
    }
  }
  return { k, gram, rhs };
}

/**
 * Least squares on the regressors `use` of a pool (indices, in the order the coefficients come
 * back; default all): many candidate designs drawn from one pool share one pass over the data.
 * Undefined if singular.
 */
export function solveNormal(eq: NormalEquations, use?: readonly number[]): Float64Array | undefined {
  const idx = use ?? Array.from({ length: eq.k }, (_, i) => i);
  const k = idx.length;
  const a = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    rhs[i] = eq.rhs[idx[i]];
    for (let j = 0; j < k; j++) a[i * k + j] = eq.gram[idx[i] * eq.k + idx[j]];
  }
  let trace = 0;
  for (let i = 0; i < k; i++) trace += a[i * k + i];
  const ridge = (1e-10 * trace) / Math.max(k, 1) + 1e-300;
  for (let i = 0; i < k; i++) a[i * k + i] += ridge;
  return choleskySolve(a, rhs, k);
}

/** Solve min |y - X b|^2 where `columns[j][i]` is regressor j at row i. Undefined if singular. */
export function leastSquares(columns: Float64Array[], y: Float64Array): Float64Array | undefined {
  return solveNormal(normalEquations(columns, y));
}

function choleskySolve(a: Float64Array, b: Float64Array, k: number): Float64Array | undefined {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let p = 0; p < j; p++) s -= l[i * k + p] * l[j * k + p];
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * k + i] = Math.sqrt(s);
      } else {
        l[i * k + j] = s / l[j * k + j];
      }
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[i * k + p] * z[p];
    z[i] = s / l[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i];
    for (let p = i + 1; p < k; p++) s -= l[p * k + i] * x[p];
    x[i] = s / l[i * k + i];
  }
  return x;
}
