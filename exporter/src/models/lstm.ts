/**
 * `lstm`: one global LSTM per config entry (lstm/model.ts), trained on scaled windows of all the
 * entry's series, with per-series bands made conformal on each series' own held-out tail (the
 * latest days the network never trained on; the same table as `auto`'s, calibration.ts).
 *
 * For the pipeline, once per config entry and in a worker thread (training takes seconds):
 *
 *   const { network, models } = await fitLstmEntry(series, { seed });   // models[i] serves series[i]
 *   const states = models.map((m) => m.toJSON());   // a few KB each: the network is named by id
 *   postMessage({ network, states });                // the network (~100 KB of JSON) once per entry
 *   // on the main thread, or after a restart:
 *   const restored = states.map((s) => restoreLstmSeries(s, network));
 *
 * Series models are ordinary FittedModels (forecast / update / toJSON), synchronous and free of
 * TensorFlow.js once trained. `lstm.fit` on one series is the same with the network embedded in
 * its state, so `lstm.restore` needs nothing else (the model conformance suite runs on that).
 */
import type { FitOptions, FittedModel, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { CalibratedModel, conformalTable, restoreCalibrated } from './calibration.js';
import { widthFloor } from './resolution.js';
import { walkForward } from './validation.js';
import { tfjsMissing } from './tf.js';
import {
  fitGlobal,
  lstmModel,
  restoreLstm,
  trainGlobal,
  NAME,
  type LstmNetwork,
  type LstmOptions,
} from './lstm/model.js';

export { LSTM_DEFAULTS, fitGlobal, type LstmNetwork, type LstmOptions } from './lstm/model.js';

const DAY = 86400;

export interface LstmEntry {
  /** the shared network: store or post it once per entry */
  network: LstmNetwork;
  /** one model per input series, in input order */
  models: FittedModel[];
}

/**
 * Train one network on all `series` (same grid step) and return a calibrated model per series.
 * `embedNetwork` makes each model's state self-contained (what `lstm.fit` does).
 */
export async function fitLstmEntry(
  series: SeriesInput[],
  options: FitOptions & Partial<LstmOptions> = {},
  embedNetwork = false,
): Promise<LstmEntry> {
  const { network, fits } = await trainGlobal(series, options);
  const horizon = network.shape.outputs;
  const stride = Math.max(1, Math.round(horizon / 8));
  const models = fits.map((fit, i) => {
    const served = lstmModel(network, fit.scaling, fit.values, embedNetwork);
    const n = fit.values.length;
    // held-out targets start after the first validation origin; a day of them at most
    if (fit.firstValidation === undefined) return served;
    const cut = Math.max(fit.firstValidation + 1, n - Math.round(DAY / series[i].step));
    if (n - cut < 2 * stride) return served;
    const walker = lstmModel(network, fit.scaling, fit.values.slice(0, cut));
    const table = conformalTable(walkForward(walker, series[i].values, cut, { horizon, stride }).errors, {
      floor: widthFloor(series[i].values),
    });
    return table ? new CalibratedModel(served, table, NAME) : served;
  });
  return { network, models };
}

/** Rebuild a series model of `fitLstmEntry`; `network` is needed unless the state embeds it. */
export function restoreLstmSeries(serialized: SerializedModel, network?: LstmNetwork): FittedModel {
  const state = serialized.state as { table?: unknown } | null;
  if (state && typeof state === 'object' && 'table' in state) {
    return restoreCalibrated(serialized, (inner) => restoreLstm(inner, network));
  }
  return restoreLstm(serialized, network);
}

export type LstmFactory = ModelFactory & {
  /** one network, models with the network's own pooled bands (see `fitLstmEntry` for calibrated ones) */
  fitGlobal(series: SeriesInput[], options?: FitOptions & Partial<LstmOptions>): Promise<FittedModel[]>;
  fitEntry(series: SeriesInput[], options?: FitOptions & Partial<LstmOptions>): Promise<LstmEntry>;
  restoreSeries(serialized: SerializedModel, network: unknown): FittedModel;
};

/** An LSTM factory with other defaults (tests use a smaller, faster network). */
export function createLstm(defaults: Partial<LstmOptions> = {}): LstmFactory {
  return {
    name: NAME,
    summary: 'global LSTM (TensorFlow.js) across a config entry, direct 48-step output, conformal bands per series',
    selfCalibrated: true,
    fitGlobal: (series, options = {}) => fitGlobal(series, { ...defaults, ...options }),
    fitEntry: (series, options = {}) => fitLstmEntry(series, { ...defaults, ...options }),
    async fit(series, options = {}) {
      const { models } = await fitLstmEntry([series], { ...defaults, ...options }, true);
      return models[0];
    },
    restore: (serialized) => restoreLstmSeries(serialized),
    restoreSeries: (serialized, network) => restoreLstmSeries(serialized, network as LstmNetwork),
    unavailable: tfjsMissing,
  };
}

export const lstm: LstmFactory = createLstm();
