/**
 * The last value decaying to the median of the last hour: an `auto` candidate between the last
 * value (best a step or two ahead) and the recent median (best hours ahead on series that sit
 * at a level between bursts). The forecast h steps ahead is m + phi^h (y - m), with m the median
 * of the last hour, y the last value and phi the lag-one autocorrelation of the series' distance
 * from its own running one-hour median over the history (clamped to [0, 1]): how long a
 * departure from the level lasts on this series. Bands are the model's own random-walk ones
 * (auto replaces them with conformal bands).
 */
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from '../types.js';
import { ModelError } from '../types.js';
import { median } from '../../util/stats.js';
import { bandsFromSd } from '../normal-bands.js';

const NAME = 'median_reversion';

interface State {
  /** the last `window` observations (gaps skipped) */
  recent: number[];
  window: number;
  phi: number;
  /** steps since the last observed value (gaps since: the decay goes on through them) */
  since: number;
  /** RMS of one-step changes */
  sigma: number;
}

class FittedMedianReversion implements FittedModel {
  readonly name = NAME;
  constructor(private readonly s: State) {}

  get description(): string {
    return `last value to median of last ${this.s.window}, phi=${this.s.phi.toFixed(3)}`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const { recent, phi, sigma, since } = this.s;
    const m = median(recent);
    const gap = recent[recent.length - 1] - m;
    const point: number[] = [];
    let decay = phi ** since;
    for (let h = 1; h <= horizon; h++) {
      decay *= phi;
      point.push(m + decay * gap);
    }
    return bandsFromSd(
      point,
      point.map((_, i) => sigma * Math.sqrt(i + 1)),
      levels,
    );
  }

  update(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) {
        this.s.recent.push(values[i]);
        this.s.since = 0;
      } else this.s.since++;
    }
    if (this.s.recent.length > this.s.window) this.s.recent.splice(0, this.s.recent.length - this.s.window);
  }

  toJSON(): SerializedModel {
    return { model: this.name, version: 1, state: { ...this.s, recent: [...this.s.recent] } };
  }
}

/** Median of a sorted window. */
function middle(sorted: Float64Array): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Index of the first element of `sorted` not below `v`. */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Lag-one autocorrelation (through zero) of each value's distance from the median of the
 * `window` values before it; the window is kept sorted as it slides (O(window) per point).
 */
function persistence(finite: number[], window: number): number {
  if (finite.length <= window + 1) return 0;
  const sorted = Float64Array.from(finite.slice(0, window)).sort();
  let num = 0;
  let den = 0;
  let previous = NaN;
  for (let i = window; i < finite.length; i++) {
    const d = finite[i] - middle(sorted);
    if (previous === previous) {
      num += d * previous;
      den += previous * previous;
    }
    previous = d;
    // slide: drop finite[i - window], insert finite[i]
    const out = lowerBound(sorted, finite[i - window]);
    sorted.copyWithin(out, out + 1);
    const at = lowerBound(sorted.subarray(0, window - 1), finite[i]);
    sorted.copyWithin(at + 1, at, window - 1);
    sorted[at] = finite[i];
  }
  return den > 0 ? Math.min(1, Math.max(0, num / den)) : 0;
}

export const medianReversion: ModelFactory = {
  name: NAME,
  summary: 'last value decaying to the median of the last hour',

  async fit(series: SeriesInput) {
    const window = Math.max(3, Math.round(3600 / series.step));
    const finite = Array.from(series.values).filter(Number.isFinite);
    if (finite.length === 0) throw new ModelError(NAME, 'series has no finite values');
    let since = 0;
    while (!Number.isFinite(series.values[series.values.length - 1 - since])) since++;
    let s = 0;
    for (let i = 1; i < finite.length; i++) s += (finite[i] - finite[i - 1]) ** 2;
    const sigma = finite.length > 1 ? Math.sqrt(s / (finite.length - 1)) : 0;
    return new FittedMedianReversion({
      recent: finite.slice(-window),
      window,
      phi: persistence(finite, window),
      since,
      sigma,
    });
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== NAME) throw new ModelError(NAME, `cannot restore state of ${serialized.model}`);
    const s = serialized.state as State;
    return new FittedMedianReversion({ ...s, since: s.since ?? 0, recent: [...s.recent] });
  },
};
