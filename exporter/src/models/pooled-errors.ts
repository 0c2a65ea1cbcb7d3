/**
 * The errors a conformal table's row rests on (calibration.ts): each step's errors sorted once,
 * and the sorted union of the steps around a step. Pure.
 */
/** Each step's finite errors (|error| when `absolute`), sorted ascending. */
export function sortedSteps(errors: number[][], absolute: boolean): Float64Array[] {
  return errors.map((step) => {
    const out = new Float64Array(step.length);
    let m = 0;
    for (const e of step) if (Number.isFinite(e)) out[m++] = absolute ? Math.abs(e) : e;
    // a typed array sorts numerically without a comparator, several times faster than number[]
    return out.subarray(0, m).sort();
  });
}

/**
 * The sorted union of the steps within +-`share` of h (so each quantile rests on several
 * origins). Merged from the steps' sorted errors, runs pairwise: the table pools overlapping
 * windows of the same steps, and sorting each window afresh was a third of the forecast
 * command's time for ets.
 */
export function pooledErrors(sorted: Float64Array[], h: number, share: number): Float64Array {
  const horizon = sorted.length;
  const reach = Math.round(h * share);
  const from = Math.max(1, h - reach);
  const to = Math.min(horizon, h + reach);
  let size = 0;
  for (let j = from; j <= to; j++) size += sorted[j - 1].length;
  let a = new Float64Array(size);
  let b = new Float64Array(size);
  const bounds = [0];
  for (let j = from; j <= to; j++) {
    a.set(sorted[j - 1], bounds[bounds.length - 1]);
    bounds.push(bounds[bounds.length - 1] + sorted[j - 1].length);
  }
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r];
      const mid = bounds[r + 1];
      const hi = r + 2 < bounds.length ? bounds[r + 2] : mid;
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = a[j] < a[i] ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
      next.push(hi);
    }
    [a, b] = [b, a];
    bounds.splice(0, bounds.length, ...next);
  }
  return a;
}
