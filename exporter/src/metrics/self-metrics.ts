/**
 * CloudPulse's own health on /metrics: per-entry source state, counters and durations of every
 * stage, process metrics. The per-series outputs (forecasts, bands, scores) are not here: they are
 * pre-rendered in the store. Values held elsewhere are read at collection time (prom-client's
 * `collect()`), so a scrape copies them and never waits for them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Pipeline, PipelineInstruments } from '../pipeline/pipeline.js';
import { buildInfo } from '../util/build-info.js';
import type { SourceInstruments } from '../sources/prometheus.js';
import { registerClusterMetrics } from './cluster-metrics.js';
import type { EventLoopDelay } from '../util/event-loop.js';

/** Registers every self-metric on `registry` and returns the pipeline's instruments. */
export function registerSelfMetrics(
  registry: Registry,
  pipeline: () => Pipeline,
): PipelineInstruments & SourceInstruments {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const perEntry = (name: string, help: string, value: (p: Pipeline, entry: string) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['series'],
      registers,
      collect() {
        const p = pipeline();
        this.reset();
        for (const entry of p.status.keys()) {
          const v = value(p, entry);
          if (v !== undefined) this.set({ series: entry }, v);
        }
      },
    });
  perEntry('cloudpulse_source_up', '1 when the last query for the entry succeeded.', (p, e) =>
    p.status.get(e)!.up ? 1 : 0,
  );
  perEntry('cloudpulse_source_simulated', '1 when the entry is served from simulated data.', (p, e) =>
    p.status.get(e)!.simulated ? 1 : 0,
  );
  perEntry('cloudpulse_source_last_success_timestamp_seconds', 'Unix time of the last successful query.', (p, e) => {
    const t = p.status.get(e)!.lastSuccess;
    return t > 0 ? t : undefined;
  });
  perEntry('cloudpulse_series_tracked', 'Label sets being modelled for the entry.', (p, e) => p.store.size(e));
  new Gauge({
    name: 'cloudpulse_work_pending',
    help: 'Series waiting for model work in the workers: first fits, and detector warm-up over the loaded history.',
    labelNames: ['work'],
    registers,
    collect() {
      const b = pipeline().updates.backlog;
      this.set({ work: 'first_fit' }, b.fits);
      this.set({ work: 'warmup' }, b.warmups);
    },
  });
  new Gauge({
    name: 'cloudpulse_worker_memory_bytes',
    help: 'Memory of each worker thread (the series it owns): V8 heap in use (heap) and reserved (heap_committed), typed arrays (external).',
    labelNames: ['worker', 'kind'],
    registers,
    collect() {
      this.reset();
      pipeline().updates.workerMemory.forEach((m, i) => {
        if (m.heapUsed !== undefined) this.set({ worker: String(i), kind: 'heap' }, m.heapUsed);
        if (m.heapCommitted !== undefined) this.set({ worker: String(i), kind: 'heap_committed' }, m.heapCommitted);
        if (m.external !== undefined) this.set({ worker: String(i), kind: 'external' }, m.external);
      });
    },
  });
  new Gauge({
    name: 'cloudpulse_stored_models',
    help: 'Stored models found at start (--storage.path): restored and served, or refitted (unreadable, another model, fitted too long ago).',
    labelNames: ['result'],
    registers,
    collect() {
      const c = pipeline().updates.restoreCounts;
      this.set({ result: 'restored' }, c.restored);
      this.set({ result: 'refitted' }, c.refitted);
    },
  });
  new Gauge({
    name: 'cloudpulse_last_cycle_timestamp_seconds',
    help: 'Unix time the last cycle finished.',
    registers,
    collect() {
      const t = pipeline().lastCycle;
      if (t > 0) this.set(t);
    },
  });

  registerClusterMetrics(registers, pipeline);

  const info = buildInfo();
  new Gauge({
    name: 'cloudpulse_build_info',
    help: 'A metric with a constant 1 value labelled by version, revision, branch and nodeversion.',
    labelNames: ['version', 'revision', 'branch', 'nodeversion'],
    registers,
  }).set({ version: info.version, revision: info.revision, branch: info.branch, nodeversion: process.version }, 1);

  const queryDuration = new Histogram({
    name: 'cloudpulse_source_query_duration_seconds',
    help: 'Duration of source queries (a first load counts once, all its chunks together).',
    labelNames: ['series'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers,
  });
  const queryErrors = new Counter({
    name: 'cloudpulse_source_query_errors_total',
    help: 'Failed source queries by reason.',
    labelNames: ['series', 'reason'],
    registers,
  });
  const fitDuration = new Histogram({
    name: 'cloudpulse_model_fit_duration_seconds',
    help: 'Duration of model fits (on worker threads), by the model chosen.',
    labelNames: ['series', 'model'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers,
  });
  const fitErrors = new Counter({
    name: 'cloudpulse_model_fit_errors_total',
    help: 'Failed model fits.',
    labelNames: ['series', 'model'],
    registers,
  });
  const dropped = new Counter({
    name: 'cloudpulse_series_dropped_total',
    help: 'Label sets refused because limits.max_series was reached.',
    labelNames: ['series'],
    registers,
  });
  const seriesErrors = new Counter({
    name: 'cloudpulse_series_errors_total',
    help: 'Per-series failures by stage; the series is skipped until its next refit, the others go on.',
    labelNames: ['series', 'stage'],
    registers,
  });
  const samplesDropped = new Counter({
    name: 'cloudpulse_samples_dropped_total',
    help: 'Input samples not used as values (NaN or infinite; kept as gaps), by reason.',
    labelNames: ['series', 'reason'],
    registers,
  });
  const fallbacks = new Counter({
    name: 'cloudpulse_model_fallbacks_total',
    help: 'Fits where the requested model failed (or gave bands of no width) and the next model of the fallback chain serves, by the model asked for and the one serving.',
    labelNames: ['series', 'model', 'served'],
    registers,
  });
  const backfilled = new Counter({
    name: 'cloudpulse_series_backfilled_total',
    help: 'Label sets that appeared after start and were loaded over the lookback.',
    labelNames: ['series'],
    registers,
  });
  const anomalies = new Counter({
    name: 'cloudpulse_anomalies_total',
    help: 'Anomaly events (entering the anomalous state) by severity.',
    labelNames: ['series', 'severity'],
    registers,
  });
  const cycleDuration = new Histogram({
    name: 'cloudpulse_cycle_duration_seconds',
    help: 'Duration of a fetch-and-route cycle (model work runs on worker threads and is not included).',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120],
    registers,
  });
  const cycles = new Counter({ name: 'cloudpulse_cycles_total', help: 'Cycles run.', registers });
  const responseBytes = new Counter({
    name: 'cloudpulse_source_response_bytes_total',
    help: 'Bytes received from the source (after decompression): query answers (kind="query") and label-only listings that narrow a fleet member\'s queries (kind="listing").',
    labelNames: ['series', 'kind'],
    registers,
  });

  return {
    queryDuration: (series, s) => queryDuration.observe({ series }, s),
    queryError: (series, reason) => queryErrors.inc({ series, reason }),
    fitDuration: (series, model, s) => fitDuration.observe({ series, model }, s),
    fitError: (series, model) => fitErrors.inc({ series, model }),
    seriesDropped: (series, n) => dropped.inc({ series }, n),
    anomalyEvent: (series, severity) => anomalies.inc({ series, severity }),
    seriesError: (series, stage) => seriesErrors.inc({ series, stage }),
    samplesDropped: (series, reason, n) => samplesDropped.inc({ series, reason }, n),
    backfilled: (series, n) => backfilled.inc({ series }, n),
    modelFallback: (series, model, served) => fallbacks.inc({ series, model, served }),
    responseBytes: (series, kind, n) => responseBytes.inc({ series, kind }, n),
    cycle: (s) => {
      cycleDuration.observe(s);
      cycles.inc();
    },
  };
}

/** `cloudpulse_event_loop_delay_max_seconds`: the main thread held, over the last minute */
export function registerLoopDelayMetric(registry: Registry, delay: EventLoopDelay): void {
  new Gauge({
    name: 'cloudpulse_event_loop_delay_max_seconds',
    help: "The main thread's largest event-loop delay over the last minute: at least what a scrape arriving then waited. Model work runs on worker threads and does not count here.",
    registers: [registry],
    collect() {
      this.set(delay.maxMs(60) / 1000);
    },
  });
}
