/**
 * Ordinary least squares on a few regressors via the normal equations and a Cholesky solve.
 * A tiny ridge keeps nearly collinear designs (e.g. a constant next to a slowly moving lag)
 * solvable; it is negligible next to the data's own scale.
 */

/** Solve min |y - X b|^2 where `columns[j][i]` is regressor j at row i. Undefined if singular. */
export function leastSquares(columns: Float64Array[], y: Float64Array): Float64Array | undefined {
  const k = columns.length;
  const n = y.length;
  const a = new Float64Array(k * k);
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
      a[i * k + j] = sij;
      a[j * k + i] = sij;
    }
  }
  let trace = 0;
  for (let i = 0; i < k; i++) trace += a[i * k + i];
  const ridge = (1e-10 * trace) / Math.max(k, 1) + 1e-300;
  for (let i = 0; i < k; i++) a[i * k + i] += ridge;
  return choleskySolve(a, rhs, k);
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
