/**
 * Conformal bands for any model from its own history, the way `auto` calibrates its choice: fit
 * on all but the last day, forecast four hours ahead every few points through that day while
 * absorbing it (validation.ts), build the conformal table of those errors (calibration.ts,
 * corrected for overlapping forecasts), and serve the model refitted on the whole history with
 * that table's bands. `cloudpulse forecast` and the forecast bench serve every model this way.
 *
 * Why a table of absolute errors and not the online calibrator's multipliers of the model's own
 * band: the served model is refitted after the replay, and its own bands relative to its errors
 * differ from the replayed fit's; multipliers learned on one and applied to the other
 * under-covered (ets 95% at 4 h: 0.91 against 0.97 with the table, bench/forecast-variants.ts).
 * A history too short to validate on keeps the model's own bands; either way no band is
 * narrower than the series' width floor (resolution.ts).
 */
import type { FitOptions, FittedModel, ModelFactory, SeriesInput } from './types.js';
import { calibrateOnErrors, type ConformalOptions } from './calibration.js';
import { validateOnTail } from './validation.js';
import { validationPlan } from './auto.js';

/** Origins on the tail for a model whose every forecast after an update is a refit. */
const COSTLY_ORIGINS = 4;

export async function calibrateOnTail(
  factory: ModelFactory,
  series: SeriesInput,
  fitOptions?: FitOptions,
  calibration: ConformalOptions = {},
): Promise<FittedModel> {
  const model = await factory.fit(series, fitOptions);
  if (factory.selfCalibrated) return model;
  const plan = validationPlan(series.values.length, series.step);
  let errors: number[][] | undefined;
  if (plan) {
    const stride = factory.costlyUpdate ? Math.max(plan.stride, Math.ceil(plan.window / COSTLY_ORIGINS)) : plan.stride;
    const [validated] = await validateOnTail(series.values, [{ name: factory.name, factory, fitOptions }], {
      ...plan,
      stride,
      step: series.step,
      start: series.start,
    });
    errors = validated?.errors;
  }
  return calibrateOnErrors(model, errors, series, calibration, factory.name);
}
