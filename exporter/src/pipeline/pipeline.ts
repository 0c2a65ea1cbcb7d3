/**
 * The scheduler. Each interval it fetches new points for every config entry (the lookback in
 * chunks on the first load, only what is new afterwards) and routes each label set to the worker
 * that owns it; workers do all model work off this thread and publish records to the store, which
 * the readers serve. Here live only the decisions that need the whole picture: which label sets
 * exist (churn, the cardinality cap, staleness judged in steps), backfilling label sets that
 * appear after start, and what the source's health is. A failing query never stops the cycle: it
 * is counted, logged, and the last good forecasts keep being served.
 */
import { staleAfterSeconds } from '../config/check.js';
import type { Config, SeriesConfig } from '../config/schema.js';
import { SeriesStore } from '../store/series-store.js';
import type { Labels, Source, SourceSeries } from '../sources/types.js';
import { SourceError } from '../sources/types.js';
import type { Logger } from '../util/logger.js';
import type { SampleDropReason, SeriesStage } from '../vocabulary.js';
import type { AnomalyLog } from './anomaly-log.js';
import { loadInChunks, newestFirstSplit } from './chunked-load.js';
import { packIngest, type IngestItem } from './ingest-batch.js';
import { fitEntry } from './entry-fit.js';
import { getModel } from '../models/index.js';
import { isEntryModel } from '../models/types.js';
import { seriesKey } from './series-unit.js';
import { phaseOf } from './worker.js';
import { WorkerUpdates } from './worker-updates.js';
import { MemoryCompactor } from '../util/compact-memory.js';
import type { WorkerCallbacks, WorkerHandle } from './worker-handle.js';

/** the most new label sets backfilled with a label-set filter; more reload the whole entry */
const MAX_FILTERED_BACKFILL = 500;

/** What the pipeline reports to self-monitoring; the metrics layer implements it. */
export interface PipelineInstruments {
  queryDuration(series: string, seconds: number): void;
  queryError(series: string, reason: string): void;
  fitDuration(series: string, model: string, seconds: number): void;
  fitError(series: string, model: string): void;
  seriesDropped(series: string, count: number): void;
  anomalyEvent(series: string, severity: string): void;
  seriesError(series: string, stage: SeriesStage): void;
  samplesDropped(series: string, reason: SampleDropReason, count: number): void;
  backfilled(series: string, count: number): void;
  cycle(seconds: number): void;
}

export interface EntryStatus {
  up: boolean;
  simulated: boolean;
  lastSuccess: number;
  /** per source kind: the end of the last successful query (the next starts one step later) */
  cursor: Map<string, number>;
}

export interface PipelineOptions {
  config: Config;
  /** the configured Prometheus-compatible source, if any */
  source?: Source;
  simulation: Source;
  /** makes the workers that own the series; called once per worker */
  workers: (callbacks: WorkerCallbacks, index: number) => WorkerHandle;
  workerCount: number;
  /** unix milliseconds; the simulation may run faster than real time */
  clock: () => number;
  logger: Logger;
  instruments: PipelineInstruments;
  anomalyLog?: AnomalyLog;
  store?: SeriesStore;
}

interface Known {
  entry: string;
  worker: number;
  /** unix seconds of its newest sample from the source */
  lastT: number;
  simulated: boolean;
}

export class Pipeline {
  readonly store: SeriesStore;
  readonly status = new Map<string, EntryStatus>();
  private readonly known = new Map<string, Known>();
  /** label sets refused by limits.max_series this cycle (counted once per cycle, not per chunk) */
  private readonly refused = new Set<string>();
  private readonly workers: WorkerHandle[];
  /** what the workers report back: backlog, memory, restore counts */
  readonly updates: WorkerUpdates;
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  /** entry-wide fits (entries whose model fits across all label sets): when done, and the one running */
  private readonly entryFits = new Map<string, { last: number; running?: Promise<void> }>();
  private firstCycleLogged = false;
  private readonly compactor = new MemoryCompactor();
  lastCycle = 0;

  constructor(private readonly o: PipelineOptions) {
    this.store = o.store ?? new SeriesStore();
    for (const entry of o.config.series) {
      this.status.set(entry.name, { up: !o.source, simulated: !o.source, lastSuccess: 0, cursor: new Map() });
    }
    const count = Math.max(1, o.workerCount);
    this.updates = new WorkerUpdates({
      ...o,
      store: this.store,
      known: this.known,
      workers: count,
      compactor: this.compactor,
    });
    this.workers = Array.from({ length: count }, (_, i) =>
      o.workers({ update: (u) => this.updates.apply(u, i), lost: (err) => this.workerLost(i, err) }, i),
    );
  }

  /** true once at least one series has a forecast */
  get ready(): boolean {
    return this.store.hasForecasts;
  }

  now(): number {
    return this.o.clock() / 1000;
  }

  /** Run cycles every `schedule.interval` until stop(); the first runs at once. */
  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.runCycle().catch((err: Error) =>
        this.o.logger.error({ err: err.message }, 'cycle failed; retrying next interval'),
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.o.config.schedule.interval * 1000);
    };
    void loop();
  }

  /** Stop cycling: abort queries in flight (and their retries), wait for the cycle, close the workers. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort(new Error('shutting down'));
    await this.running;
    await Promise.all(this.workers.map((s) => s.close()));
  }

  /** resolves when every worker has finished the work queued so far (fits and warm-ups included) */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.entryFits.values()].map((f) => f.running));
    await Promise.all(this.workers.map((s) => s.request({ type: 'idle' })));
  }

  /** what the built-in view draws for one series beyond its record */
  async detail(key: string, maxPoints: number) {
    const known = this.known.get(key);
    if (!known) return undefined;
    return this.workers[known.worker].request<
      | {
          actual: Array<[number, number]>;
          pastForecasts: Array<{ horizon: number; points: Array<[number, number, Record<string, [number, number]>]> }>;
          anomalies: Array<[number, number, number]>;
        }
      | undefined
    >({ type: 'detail', key, maxPoints });
  }

  async runCycle(): Promise<void> {
    const t0 = performance.now();
    const now = this.now();
    this.refused.clear();
    await Promise.all(this.o.config.series.map((entry) => this.runEntry(entry, now)));
    this.dropStale();
    this.startEntryFits(now);
    this.lastCycle = now;
    this.o.instruments.cycle((performance.now() - t0) / 1000);
    if (!this.firstCycleLogged) {
      this.firstCycleLogged = true;
      this.o.logger.info(
        { series: this.known.size, entries: this.o.config.series.length, seconds: (performance.now() - t0) / 1000 },
        'first cycle complete',
      );
    }
  }

  private async runEntry(entry: SeriesConfig, now: number): Promise<void> {
    const status = this.status.get(entry.name)!;
    let simulated = !this.o.source;
    if (this.o.source) {
      const ok = await this.fetch(this.o.source, entry, now, status, false);
      status.up = ok;
      if (ok) status.lastSuccess = now;
      simulated = !ok && entry.fallback === 'simulation';
    }
    if (simulated) {
      const ok = await this.fetch(this.o.simulation, entry, now, status, true);
      if (!this.o.source) status.up = ok;
    }
    status.simulated = simulated;
  }

  /** Entry-wide fits due: after the entry's first load, then every refit_interval; never two at once. */
  private startEntryFits(now: number): void {
    for (const entry of this.o.config.series) {
      if (!isEntryModel(getModel(entry.model)!) || this.stopped) continue;
      const status = this.status.get(entry.name)!;
      if (status.cursor.size === 0) continue;
      const fit = this.entryFits.get(entry.name) ?? { last: -Infinity };
      this.entryFits.set(entry.name, fit);
      if (fit.running || now - fit.last < entry.refit_interval) continue;
      fit.last = now;
      fit.running = fitEntry(entry, now, {
        workers: this.workers,
        logger: this.o.logger,
        failed: (series, model) => this.o.instruments.fitError(series, model),
      })
        .catch((err: Error) => {
          if (!this.stopped) this.o.logger.warn({ series: entry.name, err: err.message }, 'entry-wide fit failed');
        })
        .finally(() => (fit.running = undefined));
    }
  }

  /** Fetch what is new for one entry from one source and route it; false when the source failed. */
  private async fetch(
    source: Source,
    entry: SeriesConfig,
    now: number,
    status: EntryStatus,
    simulated: boolean,
  ): Promise<boolean> {
    const step = entry.step;
    const end = Math.floor(now / step) * step;
    const after = status.cursor.get(source.kind);
    const first = after === undefined;
    const start = first ? end - entry.lookback + step : after + step;
    const t0 = performance.now();
    try {
      if (start <= end) {
        if (first) {
          // the newest part first: every series forecasts from it while the older part loads
          const split = newestFirstSplit(entry, start, end);
          const signal = this.abort.signal;
          await loadInChunks(source, { entry, start: split, end, signal }, (chunk) =>
            this.route(entry, chunk, simulated, now, true),
          );
          this.loaded(entry, now);
          if (split > start) {
            // first fits come first: the older part's parsing and the server's encoding would
            // take the cores they need, and a model on the newest quarter serves until the refit
            await this.firstFitsDone();
            await loadInChunks(source, { entry, start, end: split - step, signal }, (chunk) =>
              this.route(entry, chunk, simulated, now, true, false, true),
            );
            this.loaded(entry, now);
          }
          // the parsed chunks are garbage now: give the memory back before V8 gets round to it
          this.compactor.settled();
        } else {
          const result = await source.queryRange(this.rangeQuery(entry, start, end), this.abort.signal);
          const fresh = this.route(entry, result, simulated, now, false);
          if (fresh.length > 0) await this.backfill(source, entry, fresh, end, simulated, now);
        }
        this.o.instruments.queryDuration(entry.name, (performance.now() - t0) / 1000);
      }
      status.cursor.set(source.kind, Math.max(end, after ?? -Infinity));
      return true;
    } catch (err) {
      if (this.abort.signal.aborted) return false;
      const reason = err instanceof SourceError ? err.reason : 'other';
      this.o.instruments.queryError(entry.name, reason);
      this.o.logger.warn(
        { series: entry.name, source: source.kind, reason, err: (err as Error).message },
        'query failed; serving last good forecasts',
      );
      return false;
    }
  }

  /** resolves once no worker has a first fit waiting, or the pipeline stops */
  private async firstFitsDone(): Promise<void> {
    const signal = this.abort.signal;
    const stopped = new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    const fitted = Promise.all(this.workers.map((s) => s.request({ type: 'fitted' })));
    // a worker that dies answers nothing more; its series are reloaded, so loading goes on
    await Promise.race([fitted.catch(() => undefined), stopped]);
  }

  private rangeQuery(entry: SeriesConfig, start: number, end: number, only?: Labels[]) {
    return { name: entry.name, query: entry.query, start, end, step: entry.step, simulate: entry.simulate, only };
  }

  /**
   * Label sets that appear after the first load are backfilled over the lookback with one extra
   * query for all of them, so a new node is modelled from a full history, not from its first point.
   */
  private async backfill(
    source: Source,
    entry: SeriesConfig,
    fresh: Labels[],
    end: number,
    simulated: boolean,
    now: number,
  ): Promise<void> {
    // past a few hundred label sets the filter expression costs more than reloading everything
    const only = fresh.length <= MAX_FILTERED_BACKFILL ? fresh : undefined;
    await loadInChunks(
      source,
      { entry, start: end - entry.lookback + entry.step, end, only, signal: this.abort.signal },
      (chunk) => this.route(entry, chunk, simulated, now, true, true),
    );
    this.loaded(entry, now);
    this.o.instruments.backfilled(entry.name, fresh.length);
    this.o.logger.info({ series: entry.name, backfilled: fresh.length }, 'backfilled new label sets over the lookback');
  }

  private loaded(entry: SeriesConfig, now: number): void {
    for (const worker of this.workers) worker.submit({ type: 'loaded', entry: entry.name, now });
  }

  /**
   * Send each label set to its worker. On an incremental fetch, label sets never seen before are
   * held back and returned (to be backfilled); `admit` lets a load or backfill create them.
   */
  private route(
    entry: SeriesConfig,
    result: SourceSeries[],
    simulated: boolean,
    now: number,
    partial: boolean,
    admit = partial,
    older = false,
  ): Labels[] {
    const perWorker: IngestItem[][] = this.workers.map(() => []);
    const fresh: Labels[] = [];
    let refused = 0;
    for (const s of result) {
      if (s.timestamps.length === 0) continue;
      const key = seriesKey(entry.name, s.labels);
      let known = this.known.get(key);
      const first = !known;
      if (!known) {
        if (!admit) {
          fresh.push(s.labels);
          continue;
        }
        if (this.known.size >= this.o.config.limits.max_series) {
          if (!this.refused.has(key)) refused++;
          this.refused.add(key);
          continue;
        }
        known = {
          entry: entry.name,
          worker: Math.floor(phaseOf(key) * this.workers.length),
          lastT: -Infinity,
          simulated,
        };
        this.known.set(key, known);
      }
      known.lastT = Math.max(known.lastT, s.timestamps[s.timestamps.length - 1]);
      known.simulated = simulated;
      // the worker makes the series' unit from its first points; after that the key is enough
      perWorker[known.worker].push({
        key,
        labels: first ? s.labels : null,
        timestamps: s.timestamps,
        values: s.values,
      });
    }
    perWorker.forEach((items, i) => {
      if (items.length === 0) return;
      const batch = packIngest(items);
      this.workers[i].submit({ type: 'ingest', entry: entry.name, now, simulated, partial, older, batch });
    });
    if (refused > 0) {
      this.o.instruments.seriesDropped(entry.name, refused);
      this.o.logger.warn(
        { series: entry.name, dropped: refused, max_series: this.o.config.limits.max_series },
        'series dropped by limits.max_series',
      );
    }
    return fresh;
  }

  /**
   * A label set the source stopped returning goes away once the source has answered for a while
   * past its last sample: limits.stale_after, but never less than two steps and a cycle, so a
   * long step (1h capacity forecasts) is not mistaken for churn between its samples. While the
   * source is down nothing goes stale: the last good forecasts keep being served.
   */
  private dropStale(): void {
    const byWorker: string[][] = this.workers.map(() => []);
    for (const [key, known] of this.known) {
      const entry = this.o.config.series.find((e) => e.name === known.entry)!;
      const status = this.status.get(known.entry)!;
      const kind = known.simulated ? this.o.simulation.kind : (this.o.source?.kind ?? this.o.simulation.kind);
      const covered = status.cursor.get(kind);
      const grace = staleAfterSeconds(this.o.config.limits.stale_after, entry.step, this.o.config.schedule.interval);
      const stale = covered !== undefined && covered - known.lastT > grace;
      // simulated stand-ins go as soon as the real source answers again
      const replaced = known.simulated && !status.simulated && status.up;
      if (stale || replaced) {
        this.known.delete(key);
        this.store.delete(key);
        byWorker[known.worker].push(key);
      }
    }
    byWorker.forEach((keys, i) => keys.length > 0 && this.workers[i].submit({ type: 'drop', keys }));
  }

  /** A worker that died lost its series; forget them so the next cycle backfills them afresh. */
  private workerLost(index: number, err: Error): void {
    let lost = 0;
    for (const [key, known] of this.known) {
      if (known.worker !== index) continue;
      this.known.delete(key);
      this.store.delete(key);
      lost++;
    }
    this.o.logger.error({ worker: index, lost, err: err.message }, 'worker thread died; reloading its series');
  }

  get trackedSeries(): number {
    return this.known.size;
  }
}
