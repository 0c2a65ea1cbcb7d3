/**
 * The one small contract every forecasting model implements (augurs / statsforecast style):
 * an unfitted factory cannot predict; `fit` returns a fitted model that forecasts, updates
 * with new points, and serialises to plain data. Pure numeric code: no I/O, no clocks.
 */

/** A regular series. `values[i]` is the observation at `start + i * step`; NaN marks a gap. */
export interface SeriesInput {
  values: ArrayLike<number>;
  /** grid step in seconds */
  step: number;
  /** unix seconds of values[0] */
  start: number;
}

export interface FitOptions {
  /**
   * Season lengths in steps the caller knows or suspects (e.g. [288, 2016] for daily and weekly
   * at 5 minutes). Models may detect their own when this is empty or undefined.
   */
  seasonLengths?: number[];
  /** deterministic seed for models with randomness */
  seed?: number;
}

export interface Interval {
  /** nominal coverage in (0,1), e.g. 0.95 */
  level: number;
  lower: number[];
  upper: number[];
}

export interface ForecastResult {
  /** point forecasts for steps 1..h after the last observed point */
  point: number[];
  /** one entry per requested level, in the order requested */
  intervals: Interval[];
}

/** Plain, JSON-serialisable state of a fitted model. */
export interface SerializedModel {
  model: string;
  version: number;
  state: unknown;
  /** the series' quantum (resolution.ts), kept beside the model's state by the registry's width floor */
  resolution?: { exponent: number; top: number };
}

export interface FittedModel {
  /** registry name of the model that produced this fit (e.g. "ets") */
  readonly name: string;
  /** human-readable description of the chosen variant, e.g. "ETS(A,Ad,A) m=288" */
  readonly description: string;
  /** forecast `horizon` steps after the last observed point with bands at `levels` */
  forecast(horizon: number, levels: number[]): ForecastResult;
  /**
   * Absorb new observations that follow the last observed point on the same grid (NaN = gap),
   * in time proportional to `values.length`. Parameters stay fixed until the next fit.
   */
  update(values: ArrayLike<number>): void;
  toJSON(): SerializedModel;
}

export interface ModelFactory {
  readonly name: string;
  /** one line for `cloudpulse models` and docs */
  readonly summary: string;
  fit(series: SeriesInput, options?: FitOptions): Promise<FittedModel>;
  restore(state: SerializedModel): FittedModel;
  /** why this model cannot run in this installation (an optional package missing), else undefined */
  unavailable?(): string | undefined;
  /** its bands are already conformal on its own tail (auto, ensemble): no second calibration */
  readonly selfCalibrated?: boolean;
  /** `update` keeps the points and the next forecast refits (augurs models): validate on few origins */
  readonly costlyUpdate?: boolean;
}

/**
 * A model fitted once per config entry across all its label sets (the global LSTM): one shared
 * part (the network) and a small per-series model that needs it to restore.
 */
export interface EntryModelFactory extends ModelFactory {
  fitEntry(series: SeriesInput[], options?: FitOptions): Promise<{ network: unknown; models: FittedModel[] }>;
  restoreSeries(state: SerializedModel, network: unknown): FittedModel;
}

export function isEntryModel(factory: ModelFactory): factory is EntryModelFactory {
  return typeof (factory as Partial<EntryModelFactory>).fitEntry === 'function';
}

export class ModelError extends Error {
  constructor(
    readonly model: string,
    message: string,
  ) {
    super(`${model}: ${message}`);
    this.name = 'ModelError';
  }
}
