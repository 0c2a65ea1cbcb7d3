/**
 * A multi-day seasonal profile: an `auto` candidate (not a registered model) for seasonal series
 * with bursts, where seasonal naive copies yesterday's noise. The forecast at a phase of the
 * season is the median (or mean) of the last k whole seasons' values at that phase, k all the
 * whole seasons the kept history holds, at most `seasons`; optionally shifted by the median (or
 * mean) difference between the last hour's values and the profile over that hour (a level-adjusted
 * profile). The season is the one ets detects (seasonality.ts); a series without one is refused
 * (auto then skips the candidate). Bands are the model's own from the spread of the history's
 * distance from its profile (auto replaces them with conformal bands). Pure: no I/O.
 */
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from '../types.js';
import { ModelError } from '../types.js';
import { median } from '../../util/stats.js';
import { bandsFromSd } from '../normal-bands.js';
import { detectSeason, fillGaps } from '../seasonality.js';

const NAME = 'seasonal_profile';
const VERSION = 1;

export interface SeasonalProfileOptions {
  /** most whole seasons kept and summarised */
  seasons: number;
  /** the summary of the seasons' values at a phase */
  stat: 'median' | 'mean';
  /** shift the profile by the last hour's departure from it */
  levelAdjust: boolean;
  /** the season ets detects (refused when none), or the day whether detected or not */
  season: 'detected' | 'daily';
}

export const SEASONAL_PROFILE_DEFAULTS: SeasonalProfileOptions = {
  seasons: 6,
  stat: 'median',
  levelAdjust: false,
  season: 'detected',
};

interface State extends SeasonalProfileOptions {
  period: number;
  /** the last `seasons * period` observations at most (gaps filled with the value a season back) */
  tail: number[];
  /** steps of the level adjustment (an hour) */
  adjust: number;
  /** RMS distance of the history from its profile */
  sigma: number;
}

const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

class FittedSeasonalProfile implements FittedModel {
  readonly name = NAME;
  constructor(private readonly s: State) {}

  get description(): string {
    const { stat, seasons, period, levelAdjust } = this.s;
    return `${stat} of last ${Math.min(seasons, Math.floor(this.s.tail.length / period))} seasons m=${period}${levelAdjust ? ', level-adjusted' : ''}`;
  }

  /** the profile at tail index `i` (may lie past the end): the stat of the whole seasons before it */
  private profile(i: number, seasons: number): number {
    const { period, tail, stat } = this.s;
    const n = tail.length;
    const xs: number[] = [];
    // first season back that has been observed, then as many as the tail holds
    let j = i - period * Math.max(1, Math.ceil((i - n + 1) / period));
    for (; j >= 0 && xs.length < seasons; j -= period) xs.push(tail[j]);
    if (xs.length === 0) return tail[n - 1];
    return stat === 'median' ? median(xs) : meanOf(xs);
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const { tail, period, seasons, adjust, levelAdjust, stat, sigma } = this.s;
    const n = tail.length;
    const whole = Math.max(1, Math.min(seasons, Math.floor(n / period)));
    let shift = 0;
    if (levelAdjust) {
      // the departure over the last hour, from a profile of the seasons before each point
      const gaps: number[] = [];
      for (let i = Math.max(period, n - adjust); i < n; i++) {
        gaps.push(tail[i] - this.profile(i, Math.min(whole, Math.floor(i / period))));
      }
      if (gaps.length > 0) shift = stat === 'median' ? median(gaps) : meanOf(gaps);
    }
    const point: number[] = [];
    for (let h = 1; h <= horizon; h++) point.push(this.profile(n - 1 + h, whole) + shift);
    return bandsFromSd(
      point,
      point.map((_, i) => sigma * Math.sqrt(Math.floor(i / period) + 1)),
      levels,
    );
  }

  update(values: ArrayLike<number>): void {
    const { tail, period, seasons } = this.s;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      tail.push(Number.isFinite(v) ? v : tail[Math.max(0, tail.length - period)]);
    }
    const keep = seasons * period;
    if (tail.length > keep) tail.splice(0, tail.length - keep);
  }

  toJSON(): SerializedModel {
    return { model: this.name, version: VERSION, state: { ...this.s, tail: [...this.s.tail] } };
  }
}

export function createSeasonalProfile(overrides: Partial<SeasonalProfileOptions> = {}): ModelFactory {
  const o: SeasonalProfileOptions = { ...SEASONAL_PROFILE_DEFAULTS, ...overrides };
  return {
    name: NAME,
    summary: `${o.stat} of the last ${o.seasons} seasons at each phase${o.levelAdjust ? ', level-adjusted' : ''}`,

    async fit(series: SeriesInput, options = {}) {
      const filled = fillGaps(series.values);
      const n = filled.length;
      if (n === 0) throw new ModelError(NAME, 'series has no finite values');
      const daily = Math.round(86400 / series.step);
      const period = Math.round(
        options.seasonLengths?.[0] ?? (o.season === 'daily' ? daily : detectSeason(filled, series.step).period),
      );
      if (!(period >= 2 && n >= 2 * period)) throw new ModelError(NAME, 'no season to profile');
      const tail = Array.from(filled.subarray(Math.max(0, n - o.seasons * period)));
      const model = new FittedSeasonalProfile({
        ...o,
        period,
        tail: tail.slice(0, Math.max(0, tail.length - period)),
        adjust: Math.max(1, Math.round(3600 / series.step)),
        sigma: 0,
      });
      // the spread of the last season kept from the profile of the seasons before it
      const { point } = model.forecast(period, []);
      let sum = 0;
      for (let i = 0; i < period; i++) sum += (tail[tail.length - period + i] - point[i]) ** 2;
      model.update(tail.slice(tail.length - period));
      return new FittedSeasonalProfile({ ...(model.toJSON().state as State), sigma: Math.sqrt(sum / period) });
    },

    restore(serialized: SerializedModel) {
      if (serialized.model !== NAME || serialized.version !== VERSION) {
        throw new ModelError(NAME, `cannot restore state of ${serialized.model} v${serialized.version}`);
      }
      const s = serialized.state as State;
      return new FittedSeasonalProfile({ ...s, tail: [...s.tail] });
    },
  };
}

export const seasonalProfile: ModelFactory = createSeasonalProfile();
