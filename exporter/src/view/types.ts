/**
 * Shapes shared by the Grafana panel and the exporter's landing page. Times are unix seconds,
 * missing values are NaN, coverage levels are keyed by their label text ("0.8", "0.95").
 */

/** One time series: parallel arrays of times and values. */
export interface TimeSeries {
  t: number[];
  v: number[];
}

/** The bounds of one coverage level, each as a time series. */
export interface LevelBounds {
  lower?: TimeSeries;
  upper?: TimeSeries;
}

/**
 * What one horizon forecast over time, indexed by the moment each forecast was issued (the time of
 * the last sample it saw). Any part may be missing: a panel may query bands without the point.
 */
export interface ForecastHistory {
  /** seconds ahead */
  horizon: number;
  point?: TimeSeries;
  bands: Record<string, LevelBounds>;
}

/** The newest forecast of one horizon. */
export interface LatestForecast {
  horizon: number;
  point: number;
  /** level -> [lower, upper] */
  bands: Record<string, [number, number]>;
}

/** A line with a band around it, on one time axis. Used for both the history band and the fan. */
export interface Ribbon {
  t: number[];
  point: number[];
  lower: number[];
  upper: number[];
}

/** A marked anomalous point. severity: 0 none, 1 low, 2 medium, 3 high, 4 critical. */
export interface AnomalyMarker {
  t: number;
  /** the actual value at that time, NaN when unknown (drawn on the axis then) */
  v: number;
  score: number;
  severity: number;
}
