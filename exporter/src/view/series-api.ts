/**
 * Shapes of the series page's JSON API (`/api/v1/series/:id/events`, `/model`, `/backtest`),
 * written by the exporter's routes and read by the page. Times are unix seconds; a missing or
 * non-finite number is null.
 */

type Num = number | null;

/** models the page may backtest: the registered ones that fit in well under a second (not lstm) */
export const BACKTEST_MODELS = ['auto', 'seasonal_naive', 'ets', 'sarima', 'mstl', 'ensemble', 'prophet'];
/** what a backtest runs when the request names none, with the configured model: auto and its registered candidates */
export const DEFAULT_BACKTEST_MODELS = ['auto', 'seasonal_naive', 'ets', 'sarima'];
/** the most models one backtest runs */
export const MAX_BACKTEST_MODELS = 5;

/** One line of the JSONL anomaly log (`anomaly_log.path`) for the series. */
export interface AnomalyEventView {
  t: number;
  value: Num;
  expected: Num;
  band: [Num, Num] | null;
  score: Num;
  severity: string;
  model: string;
  detector: string;
}

export interface AnomalyEventsResponse {
  /** false when no anomaly log is configured: there is nothing to list */
  logged: boolean;
  /** oldest first, at most `limit` of the newest */
  events: AnomalyEventView[];
  /** the log was longer than what was read (only its end is read) or than the limit */
  truncated: boolean;
}

export interface CandidateError {
  name: string;
  /** what the candidate fitted, in its own words */
  description: string;
  /** mean absolute error over the first `earlySteps` steps, per origin then over origins */
  earlyError: Num;
  /** the same over the whole validated horizon */
  fullError: Num;
}

export interface ModelChoiceResponse {
  requested: string;
  /** the model serving now (what auto chose), null before the first fit */
  serving: string | null;
  description: string | null;
  /** clock time of the fit now serving */
  lastFit: Num;
  /** auto's validation re-run now on the current history; null when the model is not auto or the history is too short */
  validation: {
    /** validated horizon, window and stride in steps */
    horizon: number;
    window: number;
    stride: number;
    earlySteps: number;
    /** a second candidate is averaged in when its error is within this multiple of the best's */
    combineWithin: number;
    combine: number;
    candidates: CandidateError[];
  } | null;
  /** why there is no validation */
  note?: string;
}

export interface BacktestForecastView {
  /** unix seconds of the first forecast step */
  start: number;
  failed: boolean;
  point: Num[];
  intervals: Array<{ level: number; lower: Num[]; upper: Num[] }>;
}

/** One model at one horizon: the same summary `cloudpulse backtest --json` writes. */
export interface BacktestModelResult {
  model: string;
  maseMean: Num;
  smape: Num;
  /** by level, in the order of `levels` */
  coverage: Num[];
  /** mean interval score over the MASE scale (M4's MSIS), by level */
  msis: Num[];
  fails: number;
  fitMsMean: Num;
  /** origins scored */
  scored: number;
  forecasts: BacktestForecastView[];
}

export interface BacktestHorizonResult {
  /** seconds */
  horizon: number;
  /** `--horizon` of the equivalent command */
  steps: number;
  models: BacktestModelResult[];
  /** the command that computes the same numbers from the input as CSV */
  command: string;
}

export interface BacktestResponse {
  id: string;
  /**
   * the series given to the engine: `length` values every `step` seconds from `start` (null for a
   * gap), so the page offers exactly this input as CSV however far the history has moved on since
   */
  input: { start: number; step: number; length: number; values: Num[] };
  /** the stretch the origins were asked to cover */
  window: { from: number; to: number };
  origins: number;
  maxHistory: number;
  levels: number[];
  models: string[];
  horizons: BacktestHorizonResult[];
  /** wall milliseconds the job took off the main thread */
  elapsedMs: number;
  /** true when this answer was computed for an earlier identical request */
  cached: boolean;
}
