/**
 * The scheduler. Each interval it runs every config entry's fetch (entry-fetch.ts: the source,
 * this member's ownership, chunks, the router, the workers) and keeps what needs the whole
 * picture: each entry's source health and cursor, staleness, entry-wide fits, and the workers
 * themselves. Workers do all model work off this thread and publish records to the store, which
 * the readers serve. A failing query never stops the cycle: it is counted, logged, and the last
 * good forecasts keep being served.
 */
import type { Config, SeriesConfig } from '../config/schema.js';
import { Membership } from '../cluster/membership.js';
import { SeriesStore } from '../store/series-store.js';
import type { Source } from '../sources/types.js';
import { SourceError } from '../sources/types.js';
import type { Logger } from '../util/logger.js';
import type { SampleDropReason, SeriesStage } from '../vocabulary.js';
import type { AnomalyLog } from './anomaly-log.js';
import { fetchEntry } from './entry-fetch.js';
import { fitEntry } from './entry-fit.js';
import { getModel } from '../models/index.js';
import { isEntryModel } from '../models/types.js';
import { EntryOwnership } from './ownership.js';
import { SeriesRouter } from './router.js';
import { WorkerUpdates } from './worker-updates.js';
import type { WorkerCallbacks, WorkerHandle } from './worker-handle.js';

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
  /** a series' requested model failed at a fit and `served` serves instead */
  modelFallback(series: string, requested: string, served: string): void;
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
  /** which series this process owns in a fleet; default: all of them */
  membership?: Membership;
  /** unix milliseconds; the simulation may run faster than real time */
  clock: () => number;
  logger: Logger;
  instruments: PipelineInstruments;
  anomalyLog?: AnomalyLog;
  store?: SeriesStore;
}

export class Pipeline {
  readonly store: SeriesStore;
  readonly status = new Map<string, EntryStatus>();
  readonly membership: Membership;
  /** per entry: what this member asks its sources for, and keeps */
  readonly ownership = new Map<string, EntryOwnership>();
  private readonly router: SeriesRouter;
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
  lastCycle = 0;

  constructor(private readonly o: PipelineOptions) {
    this.store = o.store ?? new SeriesStore();
    this.membership = o.membership ?? Membership.single;
    for (const entry of o.config.series) {
      this.status.set(entry.name, { up: !o.source, simulated: !o.source, lastSuccess: 0, cursor: new Map() });
      this.ownership.set(entry.name, new EntryOwnership(entry, this.membership));
    }
    const count = Math.max(1, o.workerCount);
    this.workers = [];
    this.router = new SeriesRouter({ ...o, workers: this.workers, store: this.store });
    this.updates = new WorkerUpdates({
      ...o,
      store: this.store,
      known: this.router.known,
      workers: count,
    });
    for (let i = 0; i < count; i++) {
      this.workers.push(
        o.workers({ update: (u) => this.updates.apply(u, i), lost: (err) => this.router.lost(i, err) }, i),
      );
    }
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
    this.sayWhatIsFetchedWhole();
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

  /** On a fleet, name the entries every member fetches whole, and why (docs/fleet.md). */
  private sayWhatIsFetchedWhole(): void {
    if (this.membership.all || !this.o.source) return;
    for (const [entry, o] of this.ownership) {
      if (o.wholeReason === undefined) continue;
      this.o.logger.warn(
        { series: entry, shard_by: this.membership.shardBy, reason: o.wholeReason },
        'query cannot be narrowed to the series this member owns: every member fetches it whole and keeps its own',
      );
    }
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
    const known = this.router.known.get(key);
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
    this.router.cycleStarted();
    await Promise.all(this.o.config.series.map((entry) => this.runEntry(entry, now)));
    this.dropStale();
    this.startEntryFits(now);
    this.lastCycle = now;
    this.o.instruments.cycle((performance.now() - t0) / 1000);
    if (!this.firstCycleLogged) {
      this.firstCycleLogged = true;
      this.o.logger.info(
        {
          series: this.router.known.size,
          entries: this.o.config.series.length,
          seconds: (performance.now() - t0) / 1000,
        },
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
    const after = status.cursor.get(source.kind);
    const t0 = performance.now();
    try {
      const end = await fetchEntry(
        { source, entry, ownership: this.ownership.get(entry.name)!, after, now, simulated },
        {
          router: this.router,
          signal: this.abort.signal,
          firstFitsDone: () => this.firstFitsDone(),
          instruments: this.o.instruments,
          logger: this.o.logger,
        },
      );
      if (end !== after) this.o.instruments.queryDuration(entry.name, (performance.now() - t0) / 1000);
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

  /** Label sets the source stopped returning go once it has answered a while past them (router.ts). */
  private dropStale(): void {
    const { simulation, source } = this.o;
    this.router.dropStale(
      (entry, simulated) =>
        this.status.get(entry)!.cursor.get(simulated ? simulation.kind : (source?.kind ?? simulation.kind)),
      (entry) => {
        // simulated stand-ins go as soon as the real source answers again
        const status = this.status.get(entry)!;
        return !status.simulated && status.up;
      },
    );
  }

  /** true when this member asks the entry's current source only for what it owns */
  narrowed(entry: string): boolean {
    const status = this.status.get(entry)!;
    const source = status.simulated || !this.o.source ? this.o.simulation : this.o.source;
    return this.ownership.get(entry)!.narrowedFor(source);
  }

  get trackedSeries(): number {
    return this.router.known.size;
  }
}
