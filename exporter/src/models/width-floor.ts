/**
 * No band narrower than the series can be read: every model in the registry (models/index.ts) is
 * served through `withWidthFloor`, which keeps each band at least the series' width floor
 * (half its quantum, resolution.ts) away from the point on either side. Models whose own
 * variance is zero on a flat stretch (ets and sarima fitted on a constant last few days, seasonal
 * naive on an exactly periodic history) or whose conformal table is all zeros (a day of exact
 * forecasts of an integer count) would otherwise give a band of no width, which the CLI refuses
 * to print and the live calibration cannot scale. The floor follows the data: `update` refines
 * the quantum with every new value, and the state carries it (`resolution` beside the model's
 * own). The floor is tiny for measured data (half a unit in its last written digit), so it
 * moves no score; it only binds where a model claims certainty the data cannot give.
 */
import type {
  EntryModelFactory,
  FitOptions,
  FittedModel,
  ForecastResult,
  ModelFactory,
  SeriesInput,
  SerializedModel,
} from './types.js';
import { isEntryModel } from './types.js';
import { Resolution } from './resolution.js';

/** `result` with every band at least `floor` from the point on each side (a new object). */
export function floorBands(result: ForecastResult, floor: number): ForecastResult {
  if (!(floor > 0)) return result;
  const { point } = result;
  return {
    point,
    intervals: result.intervals.map((iv) => ({
      level: iv.level,
      lower: iv.lower.map((l, h) => Math.min(l, point[h] - floor)),
      upper: iv.upper.map((u, h) => Math.max(u, point[h] + floor)),
    })),
  };
}

export class FlooredModel implements FittedModel {
  constructor(
    readonly inner: FittedModel,
    private readonly resolution: Resolution,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get description(): string {
    return this.inner.description;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    return floorBands(this.inner.forecast(horizon, levels), this.resolution.floor);
  }

  update(values: ArrayLike<number>): void {
    this.inner.update(values);
    this.resolution.observeAll(values);
  }

  toJSON(): SerializedModel {
    return { ...this.inner.toJSON(), resolution: this.resolution.toJSON() };
  }
}

const floored = (model: FittedModel, values: ArrayLike<number>): FittedModel =>
  new FlooredModel(model, new Resolution().observeAll(values));

const restored = (model: FittedModel, state: SerializedModel): FittedModel =>
  new FlooredModel(model, new Resolution(state.resolution));

/** `factory` with every fitted or restored model's bands floored (entry models too). */
export function withWidthFloor<F extends ModelFactory>(factory: F): F {
  const wrapped: ModelFactory = {
    ...factory,
    async fit(series: SeriesInput, options?: FitOptions) {
      return floored(await factory.fit(series, options), series.values);
    },
    restore: (state: SerializedModel) => restored(factory.restore(state), state),
  };
  if (!isEntryModel(factory)) return wrapped as F;
  const entry: EntryModelFactory = {
    ...(wrapped as EntryModelFactory),
    async fitEntry(series: SeriesInput[], options?: FitOptions) {
      const { network, models } = await factory.fitEntry(series, options);
      return { network, models: models.map((m, i) => floored(m, series[i].values)) };
    },
    restoreSeries: (state: SerializedModel, network: unknown) => restored(factory.restoreSeries(state, network), state),
  };
  return entry as unknown as F;
}
