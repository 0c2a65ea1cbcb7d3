/**
 * Pure builders for what a series unit hands out: the forecast path it publishes from a model's
 * result, the copy of that path a record owns, and the event for the start of an anomaly.
 */
import type { SeriesConfig } from '../config/schema.js';
import type { Detection } from '../detectors/types.js';
import type { ForecastResult } from '../models/types.js';
import type { Labels } from '../sources/types.js';
import type { ForecastPath } from '../store/record.js';
import type { AnomalyEvent } from './anomaly-log.js';

/** The path a model's forecast from `origin` serves, in typed arrays. */
export function forecastPath(result: ForecastResult, origin: number, step: number): ForecastPath {
  return {
    origin,
    step,
    point: Float64Array.from(result.point),
    intervals: result.intervals.map((iv) => ({
      level: iv.level,
      lower: Float64Array.from(iv.lower),
      upper: Float64Array.from(iv.upper),
    })),
  };
}

/** A copy of `f` with buffers of its own, for a record. */
export function copyForecastPath(f: ForecastPath): ForecastPath {
  return {
    ...f,
    point: f.point.slice(),
    intervals: f.intervals.map((iv) => ({ level: iv.level, lower: iv.lower.slice(), upper: iv.upper.slice() })),
  };
}

/** The event logged when the point at `t` starts an anomaly; `servingName` is the model serving, if any. */
export function anomalyEvent(
  entry: SeriesConfig,
  labels: Labels,
  servingName: string | undefined,
  t: number,
  v: number,
  d: Detection,
): AnomalyEvent {
  return {
    timestamp: new Date(t * 1000).toISOString(),
    series: entry.name,
    labels,
    value: v,
    expected: d.expected,
    band: d.lower !== undefined && d.upper !== undefined ? [d.lower, d.upper] : undefined,
    score: d.score,
    severity: ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][d.severity],
    model: servingName ?? entry.model,
    detector: entry.detector,
  };
}
