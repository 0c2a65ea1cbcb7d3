/** Turning a fitted model into the per-horizon values the exporter serves. */
import type { FittedModel } from '../models/types.js';
import type { LatestForecast } from './series-state.js';

/** Forecast every configured horizon (seconds) from `origin`, one model call for the longest. */
export function forecastHorizons(
  model: FittedModel,
  origin: number,
  step: number,
  horizons: number[],
  levels: number[],
): LatestForecast {
  const stepsFor = (h: number) => Math.max(1, Math.round(h / step));
  const maxSteps = Math.max(...horizons.map(stepsFor));
  const result = model.forecast(maxSteps, levels);
  const byHorizon = horizons.map((horizon) => {
    const i = stepsFor(horizon) - 1;
    return {
      horizon,
      yhat: result.point[i],
      bands: result.intervals.map((iv) => [iv.lower[i], iv.upper[i]] as [number, number]),
    };
  });
  return { origin, step, result, byHorizon };
}
