/**
 * The global LSTM's network and series models (the factory is ../lstm.ts).
 *
 * A global LSTM in TensorFlow.js: ONE small network trained across all series of a config entry
 * (`fitGlobal`), each series standardised by its own median / MAD, forecasting `outputs` steps
 * at once (direct multi-step) from a window of recent points plus the value one season before
 * each target step. Longer horizons continue recursively from its own forecasts.
 *
 * Bands: per-horizon empirical quantiles of the residuals on held-out validation windows (the
 * latest 20% of each series, never trained on), pooled across series in standardised units and
 * scaled back by each series' own scale.
 *
 * Training needs TensorFlow.js (backend chosen in tf.ts); the fitted model is plain arrays with a
 * hand-written forward pass, so forecast / update / restore are synchronous and backend-free.
 * `update` appends points to the kept tail in time proportional to them; weights and scaling
 * stay fixed until the next fit.
 *
 * Per config entry (`fitLstmEntry`, meant for a worker thread): one network for all the entry's
 * series, and per series a model whose bands are conformal on its own held-out tail (the same
 * table as `auto`'s) and whose state refers to the shared network by id, so each series stores a
 * few KB and the network (about 100 KB of JSON) is stored once per entry. `lstm.fit` on one
 * series is the same with the network embedded in the state.
 */
import type { FitOptions, FittedModel, ForecastResult, SeriesInput, SerializedModel } from '../types.js';
import { ModelError } from '../types.js';
import { fillGaps } from '../seasonality.js';
import { flatForecast } from '../augurs.js';
import { quantile } from '../../util/stats.js';
import { loadTf, type TfBackendName } from '../tf.js';
import { forward, type LstmWeights } from './network.js';
import {
  encode,
  robustScaling,
  splitOrigins,
  spread,
  clip,
  firstOrigin,
  type Scaling,
  type WindowShape,
} from './windows.js';
import { trainNetwork, type TrainingSet } from './train.js';

export const NAME = 'lstm';
const VERSION = 1;
/** residual quantiles kept per horizon: p = 0, 0.01, ..., 1 */
const QUANTILE_GRID = 101;
const MIN_VALIDATION = 20;
const MIN_POINTS = 24;

export interface LstmOptions {
  window: number;
  units: number;
  /** steps forecast directly (48 = 4 h at 5 minutes) */
  outputs: number;
  epochs: number;
  batchSize: number;
  /** most training windows across all series (spread evenly over each series) */
  maxWindows: number;
  learningRate: number;
  validationShare: number;
  /** backend preference, see tf.ts */
  prefer?: TfBackendName[];
  log?: (message: string) => void;
}

export const LSTM_DEFAULTS: LstmOptions = {
  window: 48,
  units: 16,
  outputs: 48,
  epochs: 5,
  batchSize: 128,
  maxWindows: 512,
  learningRate: 0.01,
  validationShare: 0.2,
};

/** Shared by every series of one global fit. */
export interface LstmNetwork {
  /** content hash: what a series' state refers to */
  id: string;
  weights: LstmWeights;
  shape: WindowShape;
  /** [outputs][QUANTILE_GRID] standardised residual quantiles (actual - forecast) */
  residualQuantiles: number[][];
  /** where the residuals came from: held-out windows, or training windows when too few */
  residualSource: 'validation' | 'training';
  seriesCount: number;
  backend: string;
}

interface State {
  network: LstmNetwork;
  scaling: Scaling;
  /** latest raw points, gap-filled, long enough for one window and one season */
  tail: number[];
}

class FittedLstm implements FittedModel {
  readonly name = NAME;
  constructor(
    private readonly state: State,
    /** whether toJSON embeds the network (else it names it by id) */
    private readonly embedNetwork = true,
  ) {}

  get description(): string {
    const { shape, weights, seriesCount, backend } = this.state.network;
    return (
      `LSTM units=${weights.units} window=${shape.window} outputs=${shape.outputs} season=${shape.season || 'none'}` +
      ` global over ${seriesCount} series (${backend})`
    );
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const { network, scaling, tail } = this.state;
    const { shape, weights, residualQuantiles } = network;
    // a series that has not moved over the whole kept tail: nothing for the network to say
    if (tail.every((v) => v === tail[0])) return flatForecast(tail[0], horizon, levels);
    const z = tail.map((v) => (v - scaling.location) / scaling.scale);
    const point: number[] = [];
    while (point.length < horizon) {
      const t = z.length - 1;
      const { input, reference } = encode(z, t, shape);
      const deltas = forward(weights, input, reference);
      for (let k = 0; k < shape.outputs && point.length < horizon; k++) {
        const next = z[t] + deltas[k];
        point.push(scaling.location + scaling.scale * next);
        z.push(next);
      }
    }
    const intervals = levels.map((level) => {
      const lower: number[] = [];
      const upper: number[] = [];
      for (let k = 0; k < horizon; k++) {
        const row = residualQuantiles[Math.min(k, shape.outputs - 1)];
        // past the direct horizon, widen like a random walk from the last direct step
        const widen = k < shape.outputs ? 1 : Math.sqrt((k + 1) / shape.outputs);
        // a biased residual sample must not push the band off its own point forecast
        lower.push(point[k] + widen * scaling.scale * Math.min(0, quantile(row, (1 - level) / 2)));
        upper.push(point[k] + widen * scaling.scale * Math.max(0, quantile(row, (1 + level) / 2)));
      }
      return { level, lower, upper };
    });
    return { point, intervals };
  }

  update(values: ArrayLike<number>): void {
    const { tail } = this.state;
    const keep = tail.length;
    for (let i = 0; i < values.length; i++) {
      // a gap repeats the previous point: the window stays complete without guessing a season
      tail.push(Number.isFinite(values[i]) ? values[i] : tail[tail.length - 1]);
    }
    if (tail.length > keep) tail.splice(0, tail.length - keep);
  }

  toJSON(): SerializedModel {
    const { network, ...own } = this.state;
    return {
      model: NAME,
      version: VERSION,
      state: this.embedNetwork ? this.state : { ...own, tail: [...own.tail], networkId: network.id },
    };
  }
}

function resolveShape(series: SeriesInput[], o: LstmOptions, seasonLengths?: number[]): WindowShape {
  const minLength = Math.min(...series.map((s) => s.values.length));
  if (minLength < MIN_POINTS)
    throw new ModelError(NAME, `needs at least ${MIN_POINTS} points per series, got ${minLength}`);
  // short histories get a shorter window and horizon so that training windows still exist
  const window = Math.min(o.window, Math.max(4, Math.floor(minLength / 4)));
  const outputs = Math.min(o.outputs, Math.max(1, Math.floor(minLength / 4)));
  const season = Math.round(seasonLengths?.[0] ?? 86400 / series[0].step);
  const seasonUsable = season >= 2 && minLength >= 2 * season + outputs;
  return { window, outputs, season: seasonUsable ? season : 0 };
}

interface Prepared {
  z: Float64Array;
  scaling: Scaling;
  train: number[];
  validation: number[];
}

function prepare(series: SeriesInput, shape: WindowShape, o: LstmOptions): Prepared {
  const filled = fillGaps(series.values);
  if (filled.length === 0) throw new ModelError(NAME, 'series has no finite values');
  const scaling = robustScaling(filled);
  const z = filled.map((v) => (v - scaling.location) / scaling.scale);
  const observed = Array.from(series.values, (v) => Number.isFinite(v));
  return { z, scaling, ...splitOrigins(observed, shape, o.validationShare) };
}

function samples(prepared: Prepared[], pick: (p: Prepared) => number[], shape: WindowShape): TrainingSet {
  const set: TrainingSet = { inputs: [], references: [], targets: [] };
  for (const p of prepared) {
    for (const t of pick(p)) {
      const { input, reference } = encode(p.z, t, shape);
      const target = new Float64Array(shape.outputs);
      for (let k = 1; k <= shape.outputs; k++) target[k - 1] = clip(p.z[t + k] - p.z[t]);
      set.inputs.push(input);
      set.references.push(reference);
      set.targets.push(target);
    }
  }
  return set;
}

function residualQuantiles(weights: LstmWeights, set: TrainingSet): number[][] {
  const perHorizon: number[][] = Array.from({ length: weights.outputs }, () => []);
  set.inputs.forEach((input, i) => {
    const predicted = forward(weights, input, set.references[i]);
    for (let k = 0; k < weights.outputs; k++) perHorizon[k].push(set.targets[i][k] - predicted[k]);
  });
  return perHorizon.map((residuals) => {
    const sorted = Float64Array.from(residuals).sort();
    return Array.from({ length: QUANTILE_GRID }, (_, q) => quantile(sorted, q / (QUANTILE_GRID - 1)));
  });
}

/**
 * Train one network across `series` (same grid step) and return one fitted model per series,
 * in the same order, all sharing that network (each state embeds it). Bands are the network's
 * pooled residual quantiles; `fitLstmEntry` (lstm/entry.ts) calibrates them per series.
 */
export async function fitGlobal(
  series: SeriesInput[],
  options: FitOptions & Partial<LstmOptions> = {},
): Promise<FittedModel[]> {
  const { network, fits } = await trainGlobal(series, options);
  return fits.map((fit) => lstmModel(network, fit.scaling, fit.values.slice(fit.values.length - keptPoints(network))));
}

export interface GlobalTraining {
  network: LstmNetwork;
  /** per series, in input order: its scaling, gap-filled values and first held-out origin */
  fits: Array<{ scaling: Scaling; values: number[]; firstValidation: number | undefined }>;
}

/** Points of history a series model keeps: one window and one season. */
export function keptPoints(network: LstmNetwork): number {
  return firstOrigin(network.shape) + 1;
}

/** A series model on a trained network from its latest raw points (at least `keptPoints`). */
export function lstmModel(network: LstmNetwork, scaling: Scaling, tail: number[], embedNetwork = true): FittedModel {
  return new FittedLstm({ network, scaling, tail: tail.slice(tail.length - keptPoints(network)) }, embedNetwork);
}

/** Train one network across `series`; no series models yet (see `lstmModel`). */
export async function trainGlobal(
  series: SeriesInput[],
  options: FitOptions & Partial<LstmOptions> = {},
): Promise<GlobalTraining> {
  if (series.length === 0) throw new ModelError(NAME, 'fitGlobal needs at least one series');
  if (series.some((s) => s.step !== series[0].step)) {
    throw new ModelError(NAME, 'fitGlobal needs series on the same grid step');
  }
  const o: LstmOptions = { ...LSTM_DEFAULTS, ...options };
  const shape = resolveShape(series, o, options.seasonLengths);
  const prepared = series.map((s) => prepare(s, shape, o));
  const perSeries = Math.max(1, Math.floor(o.maxWindows / series.length));
  const training = samples(prepared, (p) => spread(p.train, perSeries), shape);
  if (training.inputs.length === 0) throw new ModelError(NAME, 'no complete training window (too many gaps?)');
  const validation = samples(prepared, (p) => spread(p.validation, perSeries), shape);

  const { tf, backend } = await loadTf({ prefer: o.prefer, log: o.log });
  const weights = await trainNetwork(tf, training, {
    window: shape.window,
    outputs: shape.outputs,
    units: o.units,
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: options.seed ?? 0,
  });
  const useValidation = validation.inputs.length >= MIN_VALIDATION;
  const network: LstmNetwork = {
    id: '',
    weights,
    shape,
    residualQuantiles: residualQuantiles(weights, useValidation ? validation : training),
    residualSource: useValidation ? 'validation' : 'training',
    seriesCount: series.length,
    backend,
  };
  network.id = contentId(network);
  const fits = prepared.map((p) => ({
    scaling: p.scaling,
    values: Array.from(p.z, (v) => p.scaling.location + v * p.scaling.scale),
    firstValidation: p.validation[0],
  }));
  return { network, fits };
}

/** FNV-1a over the network's JSON: equal networks get equal ids, on any machine. */
function contentId(network: Omit<LstmNetwork, 'id'>): string {
  const text = JSON.stringify({ ...network, id: undefined });
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `lstm-${h.toString(16).padStart(8, '0')}-${text.length}`;
}

/**
 * Rebuild a series model from `toJSON()` output. A state that names its network by id (from
 * `fitLstmEntry`) needs that network passed as `shared`.
 */
export function restoreLstm(serialized: SerializedModel, shared?: LstmNetwork): FittedModel {
  if (serialized.model !== NAME || serialized.version !== VERSION) {
    throw new ModelError(NAME, `cannot restore state of ${serialized.model} v${serialized.version}`);
  }
  const raw = serialized.state as (Partial<State> & { networkId?: string }) | null;
  const embedded = raw?.network !== undefined;
  let network = raw?.network;
  if (!embedded && raw?.networkId !== undefined) {
    if (!shared) throw new ModelError(NAME, `state refers to network ${raw.networkId}: restore it with that network`);
    if (shared.id !== raw.networkId) {
      throw new ModelError(NAME, `state refers to network ${raw.networkId}, given ${shared.id}`);
    }
    network = shared;
  }
  const w = network?.weights;
  const valid =
    w &&
    Array.isArray(w.kernel) &&
    w.kernel.length === 4 * w.units &&
    w.recurrent.length === 4 * w.units * w.units &&
    w.denseKernel.length === (w.units + w.outputs) * w.outputs &&
    Array.isArray(raw?.tail) &&
    raw.tail.length >= network!.shape.window &&
    network!.residualQuantiles.length === w.outputs &&
    raw.scaling !== undefined;
  if (!valid) throw new ModelError(NAME, 'serialised state has inconsistent weights or tail');
  const state: State = {
    network: embedded ? structuredClone(network!) : network!,
    scaling: { ...raw!.scaling! },
    tail: [...raw!.tail!],
  };
  return new FittedLstm(state, embedded);
}
