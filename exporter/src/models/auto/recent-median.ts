/**
 * Median of the last hour: an `auto` candidate (not a registered model) for spiky series that
 * sit at one level between bursts, where the MAE-optimal forecast is the typical recent value,
 * not the last one (a spike repeated for hours) nor a smoothed mean (pulled up by spikes).
 */
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from '../types.js';
import { ModelError } from '../types.js';
import { median } from '../../util/stats.js';
import { bandsFromSd } from '../normal-bands.js';

interface State {
  /** the last `window` observations (gaps skipped) */
  recent: number[];
  window: number;
  /** RMS of one-step changes, the random-walk scale of the model's own bands */
  sigma: number;
}

class FittedRecentMedian implements FittedModel {
  readonly name = 'recent_median';
  constructor(private readonly s: State) {}

  get description(): string {
    return `median of last ${this.s.window}`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const m = median(this.s.recent);
    const point = new Array<number>(horizon).fill(m);
    return bandsFromSd(
      point,
      point.map((_, i) => this.s.sigma * Math.sqrt(i + 1)),
      levels,
    );
  }

  update(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) this.s.recent.push(values[i]);
    if (this.s.recent.length > this.s.window) this.s.recent.splice(0, this.s.recent.length - this.s.window);
  }

  toJSON(): SerializedModel {
    return { model: this.name, version: 1, state: { ...this.s, recent: [...this.s.recent] } };
  }
}

export const recentMedian: ModelFactory = {
  name: 'recent_median',
  summary: 'median of the last hour',

  async fit(series: SeriesInput) {
    const window = Math.max(3, Math.round(3600 / series.step));
    const finite = Array.from(series.values).filter(Number.isFinite);
    if (finite.length === 0) throw new ModelError('recent_median', 'series has no finite values');
    let s = 0;
    for (let i = 1; i < finite.length; i++) s += (finite[i] - finite[i - 1]) ** 2;
    const sigma = finite.length > 1 ? Math.sqrt(s / (finite.length - 1)) : 0;
    return new FittedRecentMedian({ recent: finite.slice(-window), window, sigma });
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== 'recent_median') {
      throw new ModelError('recent_median', `cannot restore state of ${serialized.model}`);
    }
    const s = serialized.state as State;
    return new FittedRecentMedian({ ...s, recent: [...s.recent] });
  },
};
