/**
 * Seasonal naive: tomorrow looks like today. The baseline every figure is compared with.
 * Bands come from the empirical spread of in-sample seasonal differences, widened with the
 * number of seasons ahead (sqrt(k), as for a seasonal random walk).
 *
 * A history shorter than one season keeps its season: steps whose value one season back has not
 * been seen yet get the last value (with random-walk bands from the one-step changes), and the
 * model turns fully seasonal as `update` fills the season. `auto` validates it on a tail that
 * starts less than a season in (a day and a half of 1-minute data), where dropping to the last
 * value for good would hide the season from the choice.
 */
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { bandsFromSd } from './normal-bands.js';

interface State {
  season: number;
  /** the last `season` observations (gaps filled with the previous value); fewer while filling */
  tail: number[];
  /** RMS of seasonal differences over the fitted history (of one-step changes when too short) */
  sigma: number;
}

const VERSION = 1;

function fillGaps(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  let last = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) last = v;
    out.push(last);
  }
  // leading gaps take the first observed value
  const first = out.find((v) => Number.isFinite(v));
  if (first === undefined) return [];
  for (let i = 0; i < out.length && !Number.isFinite(out[i]); i++) out[i] = first;
  return out;
}

class FittedSeasonalNaive implements FittedModel {
  readonly name = 'seasonal_naive';
  constructor(private readonly s: State) {}

  get description(): string {
    return `seasonal naive m=${this.s.season}`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const { season, tail, sigma } = this.s;
    const point: number[] = [];
    const spread: number[] = [];
    for (let h = 1; h <= horizon; h++) {
      const back = tail.length - season + ((h - 1) % season);
      if (back >= 0) {
        point.push(tail[back]);
        spread.push(sigma * Math.sqrt(Math.floor((h - 1) / season) + 1));
      } else {
        point.push(tail[tail.length - 1]);
        spread.push(sigma * Math.sqrt(h));
      }
    }
    return bandsFromSd(point, spread, levels);
  }

  update(values: ArrayLike<number>): void {
    const { tail, season } = this.s;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      // a gap repeats last season's value, which is also what we would have forecast
      tail.push(Number.isFinite(v) ? v : tail[Math.max(0, tail.length - season)]);
    }
    if (tail.length > season) tail.splice(0, tail.length - season);
  }

  toJSON(): SerializedModel {
    return { model: this.name, version: VERSION, state: { ...this.s, tail: [...this.s.tail] } };
  }
}

export const seasonalNaive: ModelFactory = {
  name: 'seasonal_naive',
  summary: 'value one season earlier (daily by default); the baseline',

  async fit(series: SeriesInput, options = {}) {
    const filled = fillGaps(series.values);
    if (filled.length === 0) throw new ModelError('seasonal_naive', 'series has no finite values');
    const daily = Math.round(86400 / series.step);
    const season = Math.max(1, Math.round(options.seasonLengths?.[0] ?? daily));
    // too short for one seasonal difference: the spread of one-step changes
    const lag = filled.length >= season + 1 ? season : 1;
    let sum = 0;
    let n = 0;
    for (let i = lag; i < filled.length; i++) {
      const d = filled[i] - filled[i - lag];
      sum += d * d;
      n++;
    }
    const sigma = n > 0 ? Math.sqrt(sum / n) : 0;
    return new FittedSeasonalNaive({ season, tail: filled.slice(-season), sigma });
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== 'seasonal_naive' || serialized.version !== VERSION) {
      throw new ModelError('seasonal_naive', `cannot restore state of ${serialized.model} v${serialized.version}`);
    }
    const s = serialized.state as State;
    return new FittedSeasonalNaive({ season: s.season, tail: [...s.tail], sigma: s.sigma });
  },
};
