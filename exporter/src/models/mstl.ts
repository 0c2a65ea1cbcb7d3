/**
 * MSTL via @bsull/augurs: the series is split by STL into daily and weekly seasonal parts (only
 * the seasons the history covers twice) plus a remainder forecast by augurs' AutoETS; with no
 * such season it is AutoETS alone. Bands are augurs' own, one `predict` call per level.
 *
 * augurs models cannot absorb new points, so the fitted model keeps the raw history (bounded to
 * two weeks, or the fit's own length if longer): `update` appends to it and the next forecast
 * refits on it. Serialised state is that history; `restore` refits lazily on first use too.
 */
import type { MSTL } from '@bsull/augurs/mstl';
import type { AutoETS } from '@bsull/augurs/ets';
import type { FitOptions, FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import {
  appendHistory,
  augursEts,
  augursMessage,
  augursMstl,
  constantValue,
  flatForecast,
  keepHistory,
  restoreHistory,
  seasonsCoveredTwice,
  type KeptHistory,
} from './augurs.js';
import { fillGaps } from './seasonality.js';

const NAME = 'mstl';
const VERSION = 1;
/** AutoETS search over non-seasonal models: STL has already taken the seasons out */
const TREND_SPEC = 'ZZN';
/** fewest points worth fitting; below this AutoETS's parameter search is meaningless */
const MIN_POINTS = 8;

interface State {
  history: KeptHistory;
  /** season lengths requested at fit, re-applied (still filtered by coverage) on each refit */
  requestedSeasons?: number[];
}

type Inner = { kind: 'augurs'; model: MSTL | AutoETS; periods: number[] } | { kind: 'flat'; value: number };

function fitInner(history: KeptHistory, requested?: number[]): Inner {
  const constant = constantValue(history.values);
  if (constant !== undefined) return { kind: 'flat', value: constant };
  const y = fillGaps(history.values);
  if (y.length < MIN_POINTS) throw new ModelError(NAME, `needs at least ${MIN_POINTS} points, got ${y.length}`);
  const periods = seasonsCoveredTwice(history.step, y.length, requested);
  try {
    if (periods.length === 0) {
      const ets = new (augursEts().AutoETS)(1, TREND_SPEC);
      ets.fit(y);
      return { kind: 'augurs', model: ets, periods };
    }
    const mstl = augursMstl().MSTL.ets(periods);
    mstl.fit(y);
    return { kind: 'augurs', model: mstl, periods };
  } catch (err) {
    throw new ModelError(NAME, `augurs fit failed: ${augursMessage(err)}`);
  }
}

class FittedMstl implements FittedModel {
  readonly name = NAME;
  private inner: Inner | undefined;

  constructor(
    private readonly state: State,
    inner?: Inner,
  ) {
    this.inner = inner;
  }

  private fitted(): Inner {
    if (!this.inner) this.inner = fitInner(this.state.history, this.state.requestedSeasons);
    return this.inner;
  }

  get description(): string {
    const inner = this.fitted();
    if (inner.kind === 'flat') return 'MSTL: constant series';
    return inner.periods.length > 0 ? `MSTL periods=${inner.periods.join(',')} trend=AutoETS` : 'AutoETS (no season)';
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const inner = this.fitted();
    if (inner.kind === 'flat') return flatForecast(inner.value, horizon, levels);
    try {
      const point = inner.model.predict(horizon).point;
      const intervals = levels.map((level) => {
        const bands = inner.model.predict(horizon, level).intervals;
        if (!bands) throw new ModelError(NAME, `augurs returned no interval at level ${level}`);
        return { level, lower: bands.lower, upper: bands.upper };
      });
      return { point, intervals };
    } catch (err) {
      if (err instanceof ModelError) throw err;
      throw new ModelError(NAME, `augurs predict failed: ${augursMessage(err)}`);
    }
  }

  update(values: ArrayLike<number>): void {
    if (values.length === 0) return;
    appendHistory(this.state.history, values);
    this.release();
  }

  toJSON(): SerializedModel {
    const { history, requestedSeasons } = this.state;
    return {
      model: NAME,
      version: VERSION,
      state: { history: { ...history, values: [...history.values] }, requestedSeasons },
    };
  }

  private release(): void {
    if (this.inner?.kind === 'augurs') this.inner.model.free();
    this.inner = undefined;
  }
}

export const mstl: ModelFactory = {
  name: NAME,
  summary: 'augurs MSTL (daily + weekly seasons seen twice) with an AutoETS trend; update refits on kept history',
  costlyUpdate: true,

  async fit(series: SeriesInput, options: FitOptions = {}) {
    const history = keepHistory(series.start, series.step, series.values);
    const state: State = { history, requestedSeasons: options.seasonLengths };
    return new FittedMstl(state, fitInner(history, options.seasonLengths));
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== NAME || serialized.version !== VERSION) {
      throw new ModelError(NAME, `cannot restore state of ${serialized.model} v${serialized.version}`);
    }
    const s = serialized.state as Partial<State> | null;
    const requested = Array.isArray(s?.requestedSeasons) ? s.requestedSeasons : undefined;
    return new FittedMstl({ history: restoreHistory(s?.history, NAME), requestedSeasons: requested });
  },
};
