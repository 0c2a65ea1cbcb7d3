/**
 * Per-point feature vectors for the tree detectors: the value plus short rolling statistics,
 * computed causally in O(1) per point. Several aligned metrics (CPU, memory, network of one
 * instance) give one vector per point by concatenating each metric's features.
 */

/** value, change from the previous point, distance from the short mean in short deviations, short deviation */
export const FEATURES_PER_METRIC = 4;
const SHORT = 12;

export class RollingFeatures {
  private readonly buf = new Float64Array(SHORT);
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  private last = NaN;

  /** features of `value` against the points before it; then absorbs it (NaN repeats the last value) */
  next(value: number, out: number[]): void {
    const v = Number.isFinite(value) ? value : Number.isFinite(this.last) ? this.last : 0;
    const count = Math.min(this.n, SHORT);
    const mean = count > 0 ? this.sum / count : v;
    const sd = count > 1 ? Math.sqrt(Math.max(0, this.sumSq / count - mean * mean)) : 0;
    out.push(v, Number.isFinite(this.last) ? v - this.last : 0, (v - mean) / (sd + 1e-9 + 1e-6 * Math.abs(mean)), sd);
    const slot = this.n % SHORT;
    if (this.n >= SHORT) {
      this.sum -= this.buf[slot];
      this.sumSq -= this.buf[slot] * this.buf[slot];
    }
    this.buf[slot] = v;
    this.sum += v;
    this.sumSq += v * v;
    this.n++;
    this.last = v;
  }
}

/** features for aligned multi-metric points: one RollingFeatures per metric */
export class FeatureExtractor {
  private readonly metrics: RollingFeatures[];

  constructor(metricCount: number) {
    this.metrics = Array.from({ length: metricCount }, () => new RollingFeatures());
  }

  next(values: ArrayLike<number>): number[] {
    if (values.length !== this.metrics.length) {
      throw new RangeError(`expected ${this.metrics.length} aligned metric values, got ${values.length}`);
    }
    const out: number[] = [];
    for (let i = 0; i < values.length; i++) this.metrics[i].next(values[i], out);
    return out;
  }
}

/** log tail probability of `score` among `reference` scores (higher = more anomalous) */
export function empiricalLogTail(score: number, sortedReference: Float64Array): number {
  let lo = 0;
  let hi = sortedReference.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedReference[mid] < score) lo = mid + 1;
    else hi = mid;
  }
  const n = sortedReference.length;
  const atLeast = n - lo;
  const logTail = Math.log((atLeast + 1) / (n + 1));
  if (atLeast > 0 || n === 0) return logTail;
  // beyond every reference score: more surprising the further past the top it lies
  const top = sortedReference[n - 1];
  return logTail * (1 + (score - top) / Math.max(1e-9, Math.abs(top - sortedReference[n >> 1])));
}
