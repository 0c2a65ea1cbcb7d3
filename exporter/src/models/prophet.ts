/**
 * Prophet via @bsull/augurs, with Prophet's Stan model compiled to wasm
 * (@bsull/augurs-prophet-wasmstan) as the optimiser. Timestamps come from the series grid; gaps
 * are simply left out of the training rows, as Prophet allows. Daily and weekly seasonality are
 * on when the history covers them twice; yearly is off (metrics histories are short).
 *
 * Bands: the empirical quantiles of the in-sample residuals around the point forecast. Prophet's
 * own bands come from random simulation (different on every call, no seed) at one width fixed
 * per fit; residual quantiles are deterministic and serve any set of levels from one fit.
 *
 * Like `mstl`, the fitted model keeps the raw history: `update` appends and the next forecast
 * refits, and `restore` refits lazily from the serialised history. The optimiser loads on the
 * first `fit` (see augurs.ts); a process that only restores must `await loadProphetOptimizer()`
 * first, or the first forecast fails with a ModelError saying so.
 */
import type { Prophet } from '@bsull/augurs/prophet';
import type { FitOptions, FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import {
  appendHistory,
  augursMessage,
  augursProphet,
  constantValue,
  flatForecast,
  keepHistory,
  loadProphetOptimizer,
  loadedProphetOptimizer,
  restoreHistory,
  seasonsCoveredTwice,
  type KeptHistory,
} from './augurs.js';
import { quantile } from '../util/stats.js';

const NAME = 'prophet';
const VERSION = 1;
const MIN_POINTS = 8;

interface State {
  history: KeptHistory;
  seed: number;
}

type Inner =
  { kind: 'prophet'; model: Prophet; residuals: Float64Array; seasons: string[] } | { kind: 'flat'; value: number };

function fitInner(history: KeptHistory, seed: number): Inner {
  const constant = constantValue(history.values);
  if (constant !== undefined) return { kind: 'flat', value: constant };
  const ds: number[] = [];
  const y: number[] = [];
  history.values.forEach((v, i) => {
    if (Number.isFinite(v)) {
      ds.push(history.start + i * history.step);
      y.push(v);
    }
  });
  if (y.length < MIN_POINTS) throw new ModelError(NAME, `needs at least ${MIN_POINTS} points, got ${y.length}`);
  const periods = seasonsCoveredTwice(history.step, history.values.length);
  const daily = periods.includes(Math.round(86400 / history.step));
  const weekly = periods.includes(Math.round(604800 / history.step));
  const optimizer = loadedProphetOptimizer();
  if (!optimizer) {
    throw new ModelError(NAME, 'the Stan optimiser is not loaded yet: await loadProphetOptimizer() before restoring');
  }
  try {
    const { Prophet: ProphetClass } = augursProphet();
    const model = new ProphetClass({
      optimizer,
      uncertaintySamples: 0,
      dailySeasonality: { type: 'manual', enabled: daily },
      weeklySeasonality: { type: 'manual', enabled: weekly },
      yearlySeasonality: { type: 'manual', enabled: false },
    });
    model.fit({ ds, y }, { seed });
    const inSample = model.predict().yhat.point;
    const residuals = Float64Array.from(y, (v, i) => v - inSample[i]).sort();
    const seasons = [daily ? 'daily' : '', weekly ? 'weekly' : ''].filter(Boolean);
    return { kind: 'prophet', model, residuals, seasons };
  } catch (err) {
    throw new ModelError(NAME, `augurs Prophet fit failed: ${augursMessage(err)}`);
  }
}

class FittedProphet implements FittedModel {
  readonly name = NAME;
  private inner: Inner | undefined;

  constructor(
    private readonly state: State,
    inner?: Inner,
  ) {
    this.inner = inner;
  }

  private fitted(): Inner {
    if (!this.inner) this.inner = fitInner(this.state.history, this.state.seed);
    return this.inner;
  }

  get description(): string {
    const inner = this.fitted();
    if (inner.kind === 'flat') return 'Prophet: constant series';
    return `Prophet linear trend, seasonality=${inner.seasons.join('+') || 'none'}`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const inner = this.fitted();
    if (inner.kind === 'flat') return flatForecast(inner.value, horizon, levels);
    const { start, step, values } = this.state.history;
    const last = start + (values.length - 1) * step;
    const ds = Array.from({ length: horizon }, (_, k) => last + (k + 1) * step);
    let point: number[];
    try {
      point = inner.model.predict({ ds }).yhat.point;
    } catch (err) {
      throw new ModelError(NAME, `augurs Prophet predict failed: ${augursMessage(err)}`);
    }
    const intervals = levels.map((level) => {
      // a skewed residual sample must not push the band off its own point forecast
      const below = Math.min(0, quantile(inner.residuals, (1 - level) / 2));
      const above = Math.max(0, quantile(inner.residuals, (1 + level) / 2));
      return { level, lower: point.map((p) => p + below), upper: point.map((p) => p + above) };
    });
    return { point, intervals };
  }

  update(values: ArrayLike<number>): void {
    if (values.length === 0) return;
    appendHistory(this.state.history, values);
    if (this.inner?.kind === 'prophet') this.inner.model.free();
    this.inner = undefined;
  }

  toJSON(): SerializedModel {
    const { history, seed } = this.state;
    return { model: NAME, version: VERSION, state: { history: { ...history, values: [...history.values] }, seed } };
  }
}

export const prophet: ModelFactory = {
  name: NAME,
  summary: 'Prophet (augurs + wasm Stan optimiser), daily/weekly seasonality; update refits on kept history',
  costlyUpdate: true,

  async fit(series: SeriesInput, options: FitOptions = {}) {
    await loadProphetOptimizer();
    const history = keepHistory(series.start, series.step, series.values);
    const state: State = { history, seed: options.seed ?? 0 };
    return new FittedProphet(state, fitInner(history, state.seed));
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== NAME || serialized.version !== VERSION) {
      throw new ModelError(NAME, `cannot restore state of ${serialized.model} v${serialized.version}`);
    }
    const s = serialized.state as Partial<State> | null;
    return new FittedProphet({ history: restoreHistory(s?.history, NAME), seed: Number(s?.seed ?? 0) });
  },
};
