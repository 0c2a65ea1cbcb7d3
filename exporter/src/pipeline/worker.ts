/**
 * A worker owns the series units whose keys hash to it and does all their model work: appending
 * points, scoring, updating and forecasting, fitting, and rendering records. In the exporter each
 * worker runs on its own thread (worker-thread.ts), so the main thread only fetches data and
 * serves scrapes; tests run a worker inline. Work is ordered so every series gets a forecast as
 * soon as possible: new points first, then first fits, then refits (spread by a per-series
 * phase), and the detector warm-up over the loaded history last.
 */
import type { Config, SeriesConfig } from '../config/schema.js';
import { EntryRenderer } from '../store/exposition.js';
import type { SeriesRecord } from '../store/record.js';
import { incidentsFor, readWindows, type Window } from '../series/incident-labels.js';
import { getHeapStatistics } from 'node:v8';
import { getModel } from '../models/index.js';
import { MemoryCompactor } from '../util/compact-memory.js';
import { isEntryModel } from '../models/types.js';
import type { ModelStore } from './model-store.js';
import { SeriesUnit, type UnitEvents } from './series-unit.js';
import { unpackIngest } from './ingest-batch.js';
import { phaseOf } from './series-key.js';
import { fitIsDue, WorkQueues } from './work-queues.js';
import type { WorkerCommand, WorkerEvent, WorkerUpdate, TrainingSeries, TrainResult } from './worker-messages.js';

/** points scored inline with new data; more than this waits for the warm-up queue */
const INLINE_SCORE = 64;
/** points scored per warm-up slice of one series */
const WARMUP_SLICE = 4096;
/** how long a slice of background work may run before messages are read again */
const SLICE_MS = 20;

export interface SeriesWorkerOptions {
  config: Config;
  modelStore?: ModelStore;
  /** receives records, removals and events, in batches */
  publish: (update: WorkerUpdate) => void;
  /** records per published batch */
  batch?: number;
}

/** this thread's heap in use and committed, and its external memory (typed arrays), for self-monitoring */
function threadMemory(): { heapUsed: number; heapCommitted: number; external: number } {
  const h = getHeapStatistics();
  return { heapUsed: h.used_heap_size, heapCommitted: h.total_heap_size, external: h.external_memory };
}

export class SeriesWorker {
  private readonly units = new Map<string, SeriesUnit>();
  private readonly entries = new Map<
    string,
    { config: SeriesConfig; renderer: EntryRenderer; incidents?: Map<string, Window[]> }
  >();
  private readonly commands: Array<{ cmd: WorkerCommand; reply?: (v: unknown) => void }> = [];
  private readonly queues = new WorkQueues(this.units);
  private readonly changed = new Set<string>();
  private removed: string[] = [];
  private events: WorkerEvent[] = [];
  private now = 0;
  private pumping = false;
  private readonly compactor = new MemoryCompactor();
  private fitsSinceCompact = 0;

  constructor(private readonly o: SeriesWorkerOptions) {
    for (const entry of o.config.series) {
      // read once per entry; the run command checked the file before start
      const incidents = entry.anomaly_labels ? readWindows(entry.anomaly_labels) : undefined;
      this.entries.set(entry.name, { config: entry, renderer: new EntryRenderer(entry), incidents });
    }
  }

  /** Queue a command; `reply` receives its result once it has run. */
  submit(cmd: WorkerCommand, reply?: (v: unknown) => void): void {
    this.commands.push({ cmd, reply });
    this.kick();
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        while (this.commands.length > 0) {
          const { cmd, reply } = this.commands.shift()!;
          if ((cmd.type === 'idle' && this.hasBackgroundWork()) || (cmd.type === 'fitted' && this.awaitsFirstFit())) {
            // answer once the work queued before it is done
            this.commands.push({ cmd, reply });
            break;
          }
          let result: unknown;
          try {
            result = await this.run(cmd);
          } catch (err) {
            // per-series failures are caught in the units; this is a bug, but never a dead worker
            this.events.push({ kind: 'error', entry: '', key: '', stage: 'ingest', message: (err as Error).message });
          }
          this.flush();
          reply?.(result);
        }
        if (!(await this.backgroundSlice())) {
          this.flush();
          // a burst of fits has ended: its garbage goes now, not at V8's leisure
          if (this.fitsSinceCompact >= Math.max(100, this.units.size / 4)) {
            this.fitsSinceCompact = 0;
            this.compactor.settled();
          }
          if (this.commands.length === 0) break;
          continue;
        }
        this.flush();
        // let new commands (and, inline, scrapes) in between slices
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.pumping = false;
      if (this.commands.length > 0) this.kick();
    }
  }

  private hasBackgroundWork(): boolean {
    return this.queues.next(this.now) !== undefined;
  }

  private awaitsFirstFit(): boolean {
    return this.queues.nextFirstFit(this.now) !== undefined;
  }

  private async run(cmd: WorkerCommand): Promise<unknown> {
    switch (cmd.type) {
      case 'ingest':
        this.now = Math.max(this.now, cmd.now);
        await this.ingest(cmd);
        return undefined;
      case 'loaded':
        this.now = Math.max(this.now, cmd.now);
        for (const unit of this.units.values()) {
          if (unit.entry.name !== cmd.entry || !unit.loading) continue;
          unit.loading = false;
          await this.step(unit);
        }
        return undefined;
      case 'drop':
        for (const key of cmd.keys) {
          if (!this.units.delete(key)) continue;
          this.queues.forget(key);
          this.changed.delete(key);
          this.removed.push(key);
        }
        this.compactor.observe(this.units.size);
        return undefined;
      case 'collect': {
        const out: TrainingSeries[] = [];
        for (const unit of this.units.values()) {
          if (unit.entry.name === cmd.entry && !unit.loading && unit.history.length >= 2)
            out.push({ key: unit.key, ...unit.trainingInput() });
        }
        return out;
      }
      case 'train':
        return this.train(cmd.entry, cmd.series);
      case 'install': {
        const factory = getModel(this.entries.get(cmd.entry)?.config.model ?? '');
        if (!factory || !isEntryModel(factory)) return undefined;
        for (const m of cmd.models) {
          const unit = this.units.get(m.key);
          if (!unit) continue;
          try {
            unit.install(factory.restoreSeries(m.state, cmd.network), m.fitT, cmd.now);
          } catch (err) {
            this.eventsFor(cmd.entry).error(m.key, 'fit', `entry model not installed: ${(err as Error).message}`);
            continue;
          }
          await unit.advance(this.now);
          this.settle(unit);
        }
        return undefined;
      }
      case 'detail': {
        const unit = this.units.get(cmd.key);
        return unit ? unit.detail(cmd.maxPoints) : undefined;
      }
      case 'idle':
      case 'fitted':
        return undefined;
    }
  }

  private async ingest(cmd: Extract<WorkerCommand, { type: 'ingest' }>): Promise<void> {
    const entry = this.entries.get(cmd.entry);
    if (!entry) return;
    for (const s of unpackIngest(cmd.batch)) {
      const key = s.key;
      let unit = this.units.get(key);
      if (cmd.older) {
        if (unit?.prependOlder(s.timestamps, s.values)) this.settle(unit);
        continue;
      }
      if (!unit) {
        if (!s.labels) {
          // the pipeline sends labels with a label set's first points; this worker lost them
          this.eventsFor(cmd.entry).error(key, 'ingest', 'points for a series this worker does not hold');
          continue;
        }
        const incidents = entry.incidents && incidentsFor(entry.incidents, key, cmd.entry);
        unit = new SeriesUnit(
          entry.config,
          s.labels,
          entry.renderer,
          cmd.simulated,
          this.eventsFor(entry.config.name),
          incidents,
        );
        this.units.set(key, unit);
        this.restore(unit);
      }
      unit.simulated = cmd.simulated;
      if (cmd.partial) unit.loading = true;
      try {
        unit.append(s.timestamps, s.values);
      } catch (err) {
        this.eventsFor(cmd.entry).error(key, 'ingest', (err as Error).message);
        continue;
      }
      await this.step(unit);
    }
  }

  /** Bring one unit up to date with what it has: score a few new points, forecast, queue fits. */
  private async step(unit: SeriesUnit): Promise<void> {
    // a loading history is scored once loaded, after the first fits: forecasts come first
    if ((unit.loading || unit.unscored > INLINE_SCORE) && !unit.suspended) this.queues.warmups.add(unit.key);
    else unit.score();
    if (unit.entryModel) {
      // fitted with the whole entry (pipeline/entry-fit.ts); the last value serves until then
      if (!unit.model && !unit.loading && unit.history.length >= 2) await unit.useFallback(this.now);
    } else if (!unit.model && fitIsDue(unit, this.now)) this.queues.firstFits.add(unit.key);
    await unit.advance(this.now);
    this.settle(unit);
  }

  /** after work on a unit: note what readers must see and when it next needs a fit */
  private settle(unit: SeriesUnit): void {
    if (unit.changed) this.changed.add(unit.key);
    this.queues.noteDue(unit);
  }

  private restore(unit: SeriesUnit): void {
    let unreadable = false;
    const stored = this.o.modelStore?.load(unit.key, (file, err) => {
      unreadable = true;
      this.eventsFor(unit.entry.name).error(unit.key, 'restore', `unreadable stored model ${file}: ${err.message}`);
    });
    if (unreadable) this.events.push({ kind: 'restored', entry: unit.entry.name, key: unit.key, ok: false });
    if (!stored) return;
    const ok = unit.restore(stored, this.now);
    this.events.push({ kind: 'restored', entry: unit.entry.name, key: unit.key, ok });
  }

  /** One slice of background work; false when there was none. */
  private async backgroundSlice(): Promise<boolean> {
    const until = performance.now() + SLICE_MS;
    let worked = false;
    while (performance.now() < until) {
      const unit = this.queues.next(this.now);
      if (!unit) break;
      worked = true;
      if (unit.work === 'fit') {
        this.queues.firstFits.delete(unit.unit.key);
        await this.fit(unit.unit);
      } else {
        unit.unit.score(WARMUP_SLICE);
        if (unit.unit.unscored === 0 || unit.unit.suspended) this.queues.warmups.delete(unit.unit.key);
      }
      await unit.unit.advance(this.now);
      this.settle(unit.unit);
    }
    return worked;
  }

  /** One model fitted across an entry's series (it may come from every worker); seconds of training. */
  private async train(entry: string, series: TrainingSeries[]): Promise<TrainResult> {
    const factory = getModel(this.entries.get(entry)?.config.model ?? '');
    if (!factory || !isEntryModel(factory)) return { error: `entry ${entry} has no entry-wide model` };
    const t0 = performance.now();
    try {
      const { network, models } = await factory.fitEntry(series);
      const seconds = (performance.now() - t0) / 1000;
      this.events.push({ kind: 'fit', entry, model: factory.name, seconds });
      return {
        network,
        models: models.map((m, i) => ({ key: series[i].key, state: m.toJSON(), fitT: series[i].lastT })),
        seconds,
      };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  private async fit(unit: SeriesUnit): Promise<void> {
    const firstFit = !Number.isFinite(unit.lastFit);
    const result = await unit.fit(this.now);
    this.fitsSinceCompact++;
    if (!result) return;
    if (firstFit && unit.fitDue !== -Infinity) {
      // spread later refits over the interval instead of all at once
      unit.fitDue = this.now + unit.entry.refit_interval * (0.5 + phaseOf(unit.key));
    }
    this.events.push({ kind: 'fit', entry: unit.entry.name, model: result.model, seconds: result.seconds });
    const stored = unit.stored();
    if (stored && this.o.modelStore) {
      try {
        this.o.modelStore.save(stored);
      } catch (err) {
        this.eventsFor(unit.entry.name).error(unit.key, 'fit', `model not saved: ${(err as Error).message}`);
      }
    }
  }

  private eventsFor(entry: string): UnitEvents {
    return {
      anomaly: (event) => this.events.push({ kind: 'anomaly', event }),
      error: (key, stage, message) => this.events.push({ kind: 'error', entry, key, stage, message }),
      dropped: (reason, count) => this.events.push({ kind: 'dropped', entry, reason, count }),
      fellBack: (key, requested, served, reason) =>
        this.events.push({ kind: 'fallback', entry, key, requested, served, reason }),
    };
  }

  /** Publish what changed, in batches. */
  private flush(): void {
    const batch = this.o.batch ?? 500;
    if (this.changed.size === 0 && this.removed.length === 0 && this.events.length === 0) return;
    let records: SeriesRecord[] = [];
    for (const key of this.changed) {
      const unit = this.units.get(key);
      if (!unit) continue;
      try {
        records.push(unit.record());
      } catch (err) {
        this.eventsFor(unit.entry.name).error(key, 'render', (err as Error).message);
      }
      if (records.length >= batch) {
        this.o.publish({ records, removed: [], events: [] });
        records = [];
      }
    }
    this.changed.clear();
    this.o.publish({
      records,
      removed: this.removed,
      events: this.events,
      backlog: {
        series: this.units.size,
        fits: this.queues.firstFits.size,
        refits: this.queues.refitsWaiting,
        warmups: this.queues.warmups.size,
        ...threadMemory(),
      },
    });
    this.removed = [];
    this.events = [];
  }

  get size(): number {
    return this.units.size;
  }
}
