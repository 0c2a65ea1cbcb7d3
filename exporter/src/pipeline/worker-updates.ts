/**
 * What the workers send back, applied on the main thread: records into the store (unless their
 * label set was dropped meanwhile), events into self-metrics, the anomaly log and the log, and
 * the workers' queues as progress. Also says once when the first forecasts are served.
 */
import type { Config } from '../config/schema.js';
import type { SeriesStore } from '../store/series-store.js';
import type { Logger } from '../util/logger.js';
import type { AnomalyLog } from './anomaly-log.js';
import type { PipelineInstruments } from './pipeline.js';
import type { WorkerBacklog, WorkerEvent, WorkerUpdate } from './worker-messages.js';

export interface WorkerUpdatesOptions {
  config: Config;
  store: SeriesStore;
  /** label sets the pipeline currently tracks */
  known: ReadonlyMap<string, unknown>;
  workers: number;
  logger: Logger;
  instruments: PipelineInstruments;
  anomalyLog?: AnomalyLog;
  /** unix milliseconds: records are stamped with the time they arrive, a few ms after their render */
  clock: () => number;
}

export class WorkerUpdates {
  private readonly backlogs: WorkerBacklog[];
  private readonly restores = { restored: 0, refitted: 0 };
  private lastProgressLog = 0;
  private readyLogged = false;
  private readonly fallbackLogged = new Set<string>();
  constructor(private readonly o: WorkerUpdatesOptions) {
    this.backlogs = Array.from({ length: o.workers }, () => ({ series: 0, fits: 0, refits: 0, warmups: 0 }));
  }

  apply(u: WorkerUpdate, worker: number): void {
    const { store, known, instruments, logger } = this.o;
    if (u.backlog) this.backlogs[worker] = u.backlog;
    const computedAt = this.o.clock() / 1000;
    for (const r of u.records) {
      if (!known.has(r.key)) continue;
      r.computedAt ??= computedAt;
      store.put(r);
    }
    for (const key of u.removed) if (!known.has(key)) store.delete(key);
    for (const e of u.events) {
      switch (e.kind) {
        case 'anomaly':
          instruments.anomalyEvent(e.event.series, e.event.severity.toLowerCase());
          this.o.anomalyLog?.append(e.event);
          break;
        case 'error':
          instruments.seriesError(e.entry, e.stage);
          if (e.stage === 'fit') instruments.fitError(e.entry, this.requestedModel(e.entry));
          logger.warn({ series: e.key, stage: e.stage, err: e.message }, `series ${e.stage} failed`);
          break;
        case 'dropped':
          instruments.samplesDropped(e.entry, e.reason, e.count);
          break;
        case 'fit':
          instruments.fitDuration(e.entry, e.model, e.seconds);
          break;
        case 'fallback':
          if (e.served) instruments.modelFallback(e.entry, e.requested, e.served);
          this.logFallback(e);
          break;
        case 'restored':
          if (e.ok) this.restores.restored++;
          else this.restores.refitted++;
          break;
      }
    }
    this.logProgress();
    if (!this.readyLogged && store.hasForecasts) {
      this.readyLogged = true;
      logger.info(
        { series: store.size(), restored_models: this.restores.restored, refitted_models: this.restores.refitted },
        'ready: first forecasts served',
      );
    }
  }

  /** work waiting in the workers, summed: first fits, refits due and detector warm-ups */
  get backlog(): WorkerBacklog {
    return this.backlogs.reduce(
      (a, b) => ({
        series: a.series + b.series,
        fits: a.fits + b.fits,
        refits: (a.refits ?? 0) + (b.refits ?? 0),
        warmups: a.warmups + b.warmups,
      }),
      { series: 0, fits: 0, refits: 0, warmups: 0 },
    );
  }

  /** each worker's last report of its thread's memory */
  get workerMemory(): ReadonlyArray<{ heapUsed?: number; heapCommitted?: number; external?: number }> {
    return this.backlogs;
  }

  /** stored models restored at start, and those that had to be refitted */
  get restoreCounts(): { restored: number; refitted: number } {
    return { ...this.restores };
  }

  /** during long work (a first load of thousands of series), say how far it got every 10 s */
  private logProgress(): void {
    const b = this.backlog;
    if (b.fits + b.warmups === 0) return;
    const t = performance.now();
    if (t - this.lastProgressLog < 10_000) return;
    this.lastProgressLog = t;
    this.o.logger.info(
      { series: b.series, forecasting: this.o.store.forecasting, waiting_fit: b.fits, warming_up: b.warmups },
      'first fits and detector warm-up in progress',
    );
  }

  /** the first fallback of each entry is logged with its reason; the rest are counted */
  private logFallback(e: Extract<WorkerEvent, { kind: 'fallback' }>): void {
    if (!e.served)
      return this.o.logger.debug({ series: e.key, model: e.requested }, 'the requested model serves again');
    if (this.fallbackLogged.has(e.entry)) return;
    this.fallbackLogged.add(e.entry);
    this.o.logger.warn(
      { series: e.entry, example: e.key, model: e.requested, served: e.served, reason: e.reason },
      'a model failed and the next in the fallback chain serves (counted per series in cloudpulse_model_fallbacks_total; further ones are not logged)',
    );
  }

  private requestedModel(entry: string): string {
    return this.o.config.series.find((e) => e.name === entry)?.model ?? 'unknown';
  }
}
