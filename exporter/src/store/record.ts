/**
 * What the pipeline publishes per series: one immutable record, replaced whole whenever the series
 * changes. Readers (the metrics route, the JSON API, the landing page, the KEDA scaler) read only
 * these; they never reach into the pipeline. The record carries its exposition lines pre-rendered
 * (kube-state-metrics style), so a scrape only concatenates bytes.
 */
import type { Labels } from '../sources/types.js';

/** A forecast path: steps 1..H after `origin`, at the series' step. */
export interface ForecastPath {
  /** unix seconds of the last observation the forecast starts from */
  origin: number;
  /** seconds between forecast steps */
  step: number;
  point: Float64Array;
  intervals: Array<{ level: number; lower: Float64Array; upper: Float64Array }>;
}

export interface HorizonAccuracy {
  /** seconds */
  horizon: number;
  /** mean absolute error over the window divided by the one-step naive scale; NaN until evaluated */
  mase: number;
  /** share of actuals inside each level's band, keyed by level ("0.95") */
  coverage: Record<string, number>;
  evaluated: number;
}

export interface RecordDetection {
  score: number;
  isAnomaly: boolean;
  /** 0 none .. 4 critical */
  severity: number;
}

export interface RecordModel {
  /** the model serving the series: what `auto` chose, never "auto" itself */
  name: string;
  /** the model the config asked for */
  requested: string;
  description: string;
  /** clock time of the last successful fit, unix seconds */
  lastFit: number;
}

export interface SeriesRecord {
  /** stable identity: `entry{label="value",...}` with labels sorted */
  key: string;
  /** the config entry's name */
  entry: string;
  /** the label set as the source returned it */
  labels: Labels;
  step: number;
  simulated: boolean;
  /** unix seconds of the last sample, NaN before the first */
  lastT: number;
  lastValue: number;
  forecast?: ForecastPath;
  /** clock time (unix seconds) the forecast was made; readers judge staleness from it */
  forecastAt?: number;
  /**
   * clock time (unix seconds) this record was rendered: when its exposition values were computed.
   * Remote write stamps the record's samples with it (falling back to `forecastAt`, then to its
   * own clock).
   */
  computedAt?: number;
  detection?: RecordDetection;
  model?: RecordModel;
  accuracy: HorizonAccuracy[];
  /** the series' exposition lines, family after family (see store/exposition.ts) */
  exposition: Uint8Array;
  /** byte offset where each per-series family starts in `exposition`, plus the end */
  offsets: Uint32Array;
}
