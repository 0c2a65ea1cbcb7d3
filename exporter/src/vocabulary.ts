/**
 * The one vocabulary: metric names, the label names CloudPulse sets itself, output groups and
 * severities. The exporter's renderer, the self-metrics, the JSON API, the landing page and the
 * Grafana panel import these instead of spelling them again (docs/metrics.md documents them).
 */

/** Severity by its number in `cloudpulse_anomaly_severity`. */
export const SEVERITY_NAMES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];

/**
 * Label names CloudPulse sets on its own outputs. A source label with one of these names is
 * exported as `exported_<name>` (Prometheus' own convention for clashing target labels).
 * `cloudpulse_replica` is what the scrape names the member a copy came from (docs/fleet.md): no
 * source label may take it, or replicas could not be told apart.
 */
export const OWN_LABELS = [
  'series',
  'horizon',
  'level',
  'threshold',
  'bound',
  'model',
  'description',
  'cloudpulse_replica',
] as const;

/** Per-series output families, by the group that switches them on (`series[].outputs.families`). */
export const OUTPUT_GROUPS = {
  forecast: ['cloudpulse_forecast'],
  bounds: ['cloudpulse_forecast_lower', 'cloudpulse_forecast_upper'],
  actual: ['cloudpulse_actual', 'cloudpulse_last_sample_timestamp_seconds'],
  anomaly: ['cloudpulse_anomaly_score', 'cloudpulse_anomaly', 'cloudpulse_anomaly_severity'],
  eta: ['cloudpulse_threshold_eta_seconds'],
  model: ['cloudpulse_model_info', 'cloudpulse_model_last_fit_timestamp_seconds'],
  accuracy: ['cloudpulse_forecast_mase', 'cloudpulse_forecast_coverage'],
  /** only for entries with a `scale` block */
  scale: ['cloudpulse_scale_metric'],
} as const;
export type OutputGroup = keyof typeof OUTPUT_GROUPS;
export const OUTPUT_GROUP_NAMES = Object.keys(OUTPUT_GROUPS) as OutputGroup[];

/** Help text of every per-series family, in exposition order. All are gauges. */
export const SERIES_FAMILIES: ReadonlyArray<{ name: string; group: OutputGroup; help: string }> = [
  { name: 'cloudpulse_forecast', group: 'forecast', help: 'Point forecast `horizon` ahead of the last sample.' },
  {
    name: 'cloudpulse_forecast_lower',
    group: 'bounds',
    help: 'Lower bound of the central `level` prediction interval.',
  },
  {
    name: 'cloudpulse_forecast_upper',
    group: 'bounds',
    help: 'Upper bound of the central `level` prediction interval.',
  },
  { name: 'cloudpulse_actual', group: 'actual', help: 'Last observed value of the source series.' },
  {
    name: 'cloudpulse_last_sample_timestamp_seconds',
    group: 'actual',
    help: 'Unix time of the last sample seen.',
  },
  { name: 'cloudpulse_anomaly_score', group: 'anomaly', help: 'Anomaly score of the latest point, 0 to 1.' },
  { name: 'cloudpulse_anomaly', group: 'anomaly', help: '1 while the series is anomalous (with hysteresis), else 0.' },
  {
    name: 'cloudpulse_anomaly_severity',
    group: 'anomaly',
    help: 'Severity of the current anomaly: 0 none, 1 low, 2 medium, 3 high, 4 critical.',
  },
  {
    name: 'cloudpulse_threshold_eta_seconds',
    group: 'eta',
    help: 'Seconds from the last sample until the forecast first crosses `threshold` within the longest horizon; absent when it does not.',
  },
  {
    name: 'cloudpulse_model_info',
    group: 'model',
    help: 'The model serving the series (what auto chose, not "auto"); always 1.',
  },
  {
    name: 'cloudpulse_model_last_fit_timestamp_seconds',
    group: 'model',
    help: 'Unix time of the last successful fit.',
  },
  {
    name: 'cloudpulse_forecast_mase',
    group: 'accuracy',
    help: 'Rolling MASE of past forecasts at `horizon`, scaled by the one-step naive error.',
  },
  {
    name: 'cloudpulse_forecast_coverage',
    group: 'accuracy',
    help: 'Rolling share of actuals inside the `level` band at `horizon`.',
  },
  {
    name: 'cloudpulse_scale_metric',
    group: 'scale',
    help: 'Load to provision for now: the peak of the band upper bound over the lead time, never below the last value, with headroom and min/max (series[].scale).',
  },
];

/** Stages of per-series work, as counted in `cloudpulse_series_errors_total{stage}`. */
export const SERIES_STAGES = ['ingest', 'score', 'update', 'forecast', 'fit', 'render', 'restore'] as const;
export type SeriesStage = (typeof SERIES_STAGES)[number];

/** Why an input sample was not used, as counted in `cloudpulse_samples_dropped_total{reason}`. */
export const SAMPLE_DROP_REASONS = ['nan', 'inf', 'out_of_order'] as const;
export type SampleDropReason = (typeof SAMPLE_DROP_REASONS)[number];

/** KEDA external scaler methods, as counted in `cloudpulse_scaler_requests_total{method}`. */
export const SCALER_METHODS = ['IsActive', 'StreamIsActive', 'GetMetricSpec', 'GetMetrics'] as const;
export type ScalerMethod = (typeof SCALER_METHODS)[number];

/** Why the scaler answered inactive, as counted in `cloudpulse_scaler_inactive_total{reason}`. */
export const SCALER_INACTIVE_REASONS = ['source_down', 'stale', 'no_forecast', 'no_series', 'member_down'] as const;
export type ScalerInactiveReason = (typeof SCALER_INACTIVE_REASONS)[number];
