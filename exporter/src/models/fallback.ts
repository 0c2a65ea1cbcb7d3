/**
 * One answer for every series: `fitWithFallback` fits the requested model and, when it throws or
 * its forecast is unusable (a non-finite number, or a band of no width from history that
 * varies: models/forecast-check.ts), fits the next model of a fixed chain instead, and says which
 * model failed and why. The chain is the requested model, then `auto` (unless that was the
 * request), then the last value with random-walk bands (`FALLBACK_CHAIN`); the last link always
 * answers on a history with at least two distinct finite values: its band's spread is the RMS of
 * the one-step changes, above zero whenever two values differ, and never below the series' width
 * floor (width-floor.ts). Pure: no I/O, no clock; for the live pipeline (pipeline/series-unit.ts)
 * and anything else that must not leave a series without a forecast.
 *
 *   const fit = await fitWithFallback('ets', { values, step, start }, { seasonLengths });
 *   fit.model            // a FittedModel (registry name in fit.served: 'ets', 'auto' or 'seasonal_naive')
 *   fit.fellBackFrom     // undefined, or the model that failed first, e.g. 'ets'
 *   fit.reason           // why it failed, e.g. 'ets: gave a 80% band of no width [0, 0] at step 1 ...'
 *
 * The served model serialises under a registered name, so `getModel(state.model).restore(state)`
 * restores a fallback as any other model. Entry-wide models (lstm) are fitted per config entry,
 * not here; a request for one fits it on this series alone.
 */
import type { FitOptions, FittedModel, ModelFactory, SeriesInput } from './types.js';
import { ModelError } from './types.js';
import { MODELS } from './index.js';
import { forecastProblem } from './forecast-check.js';

/**
 * After the requested model: registry names, the last one always fitted with season 1 (the last
 * value), even when seasonal naive was the request.
 */
export const FALLBACK_CHAIN = ['auto', 'seasonal_naive'] as const;

export interface FallbackOptions extends FitOptions {
  /** steps ahead the probe forecast checks (default: 4 hours of steps) */
  horizon?: number;
  /** band levels the probe checks (default 0.8, 0.95) */
  levels?: number[];
  /** how each link is fitted (default `factory.fit`; the offline commands calibrate on the tail) */
  fit?: (factory: ModelFactory, input: SeriesInput, options: FitOptions) => Promise<FittedModel>;
}

export interface FallbackFit {
  model: FittedModel;
  /** registry name of the model serving (the requested one unless it failed) */
  served: string;
  /** the requested model when it failed, else undefined */
  fellBackFrom?: string;
  /** every failure on the way, `model: what went wrong`, joined by '; ' */
  reason?: string;
}

/** The chain for `requested`: itself, then the fallbacks it is not already. */
export function fallbackChain(requested: string): string[] {
  const [middle, last] = FALLBACK_CHAIN;
  return requested === middle ? [requested, last] : [requested, middle, last];
}

async function tryFit(
  name: string,
  factory: ModelFactory,
  input: SeriesInput,
  options: FallbackOptions,
  last: boolean,
): Promise<FittedModel | string> {
  const {
    horizon = Math.max(1, Math.round(14400 / input.step)),
    levels = [0.8, 0.95],
    fit = (f: ModelFactory, i: SeriesInput, o: FitOptions) => f.fit(i, o),
    ...fitOptions
  } = options;
  try {
    // the last value: the one model whose bands have width whenever two values differ
    const model = await fit(factory, input, last ? { ...fitOptions, seasonLengths: [1] } : fitOptions);
    const problem = forecastProblem(input.values, model.forecast(horizon, levels));
    return problem ? `${name}: gave ${problem}` : model;
  } catch (err) {
    return `${name}: ${err instanceof ModelError ? err.message.replace(`${err.model}: `, '') : String((err as Error)?.message ?? err)}`;
  }
}

/**
 * Fit `requested` on `input`, falling back along the chain. Throws only when every link fails,
 * which needs a history without two distinct finite values (nothing to forecast from).
 */
export async function fitWithFallback(
  requested: string,
  input: SeriesInput,
  options: FallbackOptions = {},
): Promise<FallbackFit> {
  const chain = fallbackChain(requested);
  const reasons: string[] = [];
  for (const [i, name] of chain.entries()) {
    const factory = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
    if (!factory) {
      reasons.push(`${name}: no such model`);
      continue;
    }
    const unavailable = factory.unavailable?.();
    const fitted = unavailable
      ? `${name}: ${unavailable}`
      : await tryFit(name, factory, input, options, i === chain.length - 1);
    if (typeof fitted !== 'string') {
      return i === 0
        ? { model: fitted, served: name }
        : { model: fitted, served: name, fellBackFrom: requested, reason: reasons.join('; ') };
    }
    reasons.push(fitted);
  }
  throw new ModelError(requested, `no model of ${chain.join(', ')} could forecast: ${reasons.join('; ')}`);
}
