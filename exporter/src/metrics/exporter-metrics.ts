/**
 * The public metric vocabulary (docs/metrics.md). Values computed by the pipeline are copied into
 * the exposition at scrape time (prom-client custom collectors, like client_golang's constant
 * metrics), so a series the pipeline forgets disappears from /metrics by construction.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Labels } from '../sources/types.js';
import type { Pipeline, PipelineInstruments } from '../pipeline/pipeline.js';
import type { SeriesState } from '../pipeline/series-state.js';
import { secondsToThreshold } from '../pipeline/threshold.js';
import { formatDuration } from '../util/duration.js';
import { VERSION } from '../version.js';

/** label names CloudPulse sets itself; a source label with one of these names becomes exported_<name> */
const OWN_LABELS = new Set(['series', 'horizon', 'level', 'threshold', 'bound', 'model', 'description']);

export function sourceLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) out[OWN_LABELS.has(k) ? `exported_${k}` : k] = v;
  return out;
}

interface Sample {
  labels: Labels;
  value: number;
}

/** A gauge whose samples are computed from the pipeline at scrape time, with free-form label sets. */
class ComputedGauge {
  readonly type = 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly compute: () => Sample[],
  ) {}
  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: 'omit' as const,
      values: this.compute().filter((s) => Number.isFinite(s.value)),
    };
  }
  // prom-client calls these on registry.resetMetrics() / clear(); nothing to reset here
  reset() {}
}

function perSeries(pipeline: Pipeline, fn: (s: SeriesState, base: Labels, out: Sample[]) => void): () => Sample[] {
  return () => {
    const out: Sample[] = [];
    for (const s of pipeline.series.values()) fn(s, { series: s.entry.name, ...sourceLabels(s.labels) }, out);
    return out;
  };
}

const level = (l: number) => String(l);

/** Registers every CloudPulse metric on `registry` and returns the pipeline's instruments. */
export function registerExporterMetrics(registry: Registry, pipeline: () => Pipeline): PipelineInstruments {
  collectDefaultMetrics({ register: registry });
  const add = (name: string, help: string, fn: (s: SeriesState, base: Labels, out: Sample[]) => void) =>
    registry.registerMetric(new ComputedGauge(name, help, () => perSeries(pipeline(), fn)()) as never);

  add('cloudpulse_forecast', 'Point forecast `horizon` ahead of the last sample.', (s, base, out) => {
    for (const h of s.forecast?.byHorizon ?? [])
      out.push({ labels: { ...base, horizon: formatDuration(h.horizon) }, value: h.yhat });
  });
  for (const [name, side, help] of [
    ['cloudpulse_forecast_lower', 0, 'Lower bound of the central `level` prediction interval.'],
    ['cloudpulse_forecast_upper', 1, 'Upper bound of the central `level` prediction interval.'],
  ] as const) {
    add(name, help, (s, base, out) => {
      for (const h of s.forecast?.byHorizon ?? []) {
        h.bands.forEach((band, k) =>
          out.push({
            labels: { ...base, horizon: formatDuration(h.horizon), level: level(s.entry.levels[k]) },
            value: band[side],
          }),
        );
      }
    });
  }
  add('cloudpulse_actual', 'Last observed value of the source series.', (s, base, out) => {
    out.push({ labels: base, value: s.lastValue });
  });
  add('cloudpulse_last_sample_timestamp_seconds', 'Unix time of the last sample seen.', (s, base, out) => {
    if (Number.isFinite(s.lastT)) out.push({ labels: base, value: s.lastT });
  });
  add('cloudpulse_anomaly_score', 'Anomaly score of the latest point, 0 to 1.', (s, base, out) => {
    if (s.detection) out.push({ labels: base, value: s.detection.score });
  });
  add('cloudpulse_anomaly', '1 while the series is anomalous (with hysteresis), else 0.', (s, base, out) => {
    if (s.detection) out.push({ labels: base, value: s.detection.isAnomaly ? 1 : 0 });
  });
  add(
    'cloudpulse_anomaly_severity',
    'Severity of the current anomaly: 0 none, 1 low, 2 medium, 3 high, 4 critical.',
    (s, base, out) => {
      if (s.detection) out.push({ labels: base, value: s.detection.isAnomaly ? s.detection.severity : 0 });
    },
  );
  add(
    'cloudpulse_threshold_eta_seconds',
    'Seconds from the last sample until the forecast first crosses `threshold` within the longest horizon; absent when it does not.',
    (s, base, out) => {
      const f = s.forecast;
      if (!f || s.entry.thresholds.length === 0) return;
      const top = f.result.intervals.reduce((a, b) => (b.level > a.level ? b : a), f.result.intervals[0]);
      for (const threshold of s.entry.thresholds) {
        const paths: Array<[string, number[] | undefined]> = [
          ['point', f.result.point],
          ['upper', top?.upper],
        ];
        for (const [bound, path] of paths) {
          if (!path) continue;
          const eta = secondsToThreshold(s.lastValue, path, f.step, threshold);
          if (eta !== undefined) out.push({ labels: { ...base, threshold: String(threshold), bound }, value: eta });
        }
      }
    },
  );
  add('cloudpulse_model_info', 'The model serving the series (auto resolves per series); always 1.', (s, base, out) => {
    if (s.model) out.push({ labels: { ...base, model: s.model.name, description: s.model.description }, value: 1 });
  });
  add('cloudpulse_model_last_fit_timestamp_seconds', 'Unix time of the last successful fit.', (s, base, out) => {
    if (Number.isFinite(s.lastFit) && s.model) out.push({ labels: base, value: s.lastFit });
  });
  add(
    'cloudpulse_forecast_mase',
    'Rolling MASE of past forecasts at `horizon`, scaled by the one-step naive error.',
    (s, base, out) => {
      for (const a of s.accuracy.summary())
        out.push({ labels: { ...base, horizon: formatDuration(a.horizon) }, value: a.mase });
    },
  );
  add(
    'cloudpulse_forecast_coverage',
    'Rolling share of actuals inside the `level` band at `horizon`.',
    (s, base, out) => {
      for (const a of s.accuracy.summary()) {
        for (const [lv, value] of Object.entries(a.coverage)) {
          out.push({ labels: { ...base, horizon: formatDuration(a.horizon), level: lv }, value });
        }
      }
    },
  );

  const perEntry = (name: string, help: string, fn: (entry: string, p: Pipeline) => number | undefined) =>
    registry.registerMetric(
      new ComputedGauge(name, help, () => {
        const p = pipeline();
        const out: Sample[] = [];
        for (const entry of p.status.keys()) {
          const value = fn(entry, p);
          if (value !== undefined) out.push({ labels: { series: entry }, value });
        }
        return out;
      }) as never,
    );
  perEntry('cloudpulse_source_up', '1 when the last query for the entry succeeded.', (e, p) =>
    p.status.get(e)!.up ? 1 : 0,
  );
  perEntry('cloudpulse_source_simulated', '1 when the entry is served from simulated data.', (e, p) =>
    p.status.get(e)!.simulated ? 1 : 0,
  );
  perEntry('cloudpulse_source_last_success_timestamp_seconds', 'Unix time of the last successful query.', (e, p) => {
    const t = p.status.get(e)!.lastSuccess;
    return t > 0 ? t : undefined;
  });
  perEntry('cloudpulse_series_tracked', 'Label sets being modelled for the entry.', (e, p) => {
    let n = 0;
    for (const s of p.series.values()) if (s.entry.name === e) n++;
    return n;
  });
  registry.registerMetric(
    new ComputedGauge('cloudpulse_last_cycle_timestamp_seconds', 'Unix time the last cycle finished.', () => [
      { labels: {}, value: pipeline().lastCycle || NaN },
    ]) as never,
  );

  const buildInfo = new Gauge({
    name: 'cloudpulse_build_info',
    help: 'Build information; always 1.',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  });
  buildInfo.set({ version: VERSION, node_version: process.version }, 1);

  const queryDuration = new Histogram({
    name: 'cloudpulse_source_query_duration_seconds',
    help: 'Duration of source queries.',
    labelNames: ['series'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const queryErrors = new Counter({
    name: 'cloudpulse_source_query_errors_total',
    help: 'Failed source queries by reason.',
    labelNames: ['series', 'reason'],
    registers: [registry],
  });
  const fitDuration = new Histogram({
    name: 'cloudpulse_model_fit_duration_seconds',
    help: 'Duration of model fits (on worker threads).',
    labelNames: ['series', 'model'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const fitErrors = new Counter({
    name: 'cloudpulse_model_fit_errors_total',
    help: 'Failed model fits.',
    labelNames: ['series', 'model'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'cloudpulse_series_dropped_total',
    help: 'Label sets refused because limits.max_series was reached.',
    labelNames: ['series'],
    registers: [registry],
  });
  const anomalies = new Counter({
    name: 'cloudpulse_anomalies_total',
    help: 'Anomaly events (entering the anomalous state) by severity.',
    labelNames: ['series', 'severity'],
    registers: [registry],
  });
  const cycleDuration = new Histogram({
    name: 'cloudpulse_cycle_duration_seconds',
    help: 'Duration of a fetch-score-forecast cycle (fits excluded: they run on workers).',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
    registers: [registry],
  });
  const cycles = new Counter({ name: 'cloudpulse_cycles_total', help: 'Cycles run.', registers: [registry] });

  return {
    queryDuration: (series, s) => queryDuration.observe({ series }, s),
    queryError: (series, reason) => queryErrors.inc({ series, reason }),
    fitDuration: (series, model, s) => fitDuration.observe({ series, model }, s),
    fitError: (series, model) => fitErrors.inc({ series, model }),
    seriesDropped: (series, n) => dropped.inc({ series }, n),
    anomalyEvent: (series, severity) => anomalies.inc({ series, severity }),
    cycle: (s) => {
      cycleDuration.observe(s);
      cycles.inc();
    },
  };
}
