/**
 * The last stage of a fetch: label sets to the workers that own them. It keeps the label sets the
 * process models (churn, the cardinality cap, staleness judged in steps) and, on an incremental
 * fetch, holds back label sets never seen before so the fetch can backfill them over the lookback.
 * Readers never see this: they read the store.
 */
import { staleAfterSeconds } from '../config/check.js';
import type { Config, SeriesConfig } from '../config/schema.js';
import type { Labels, SourceSeries } from '../sources/types.js';
import type { SeriesStore } from '../store/series-store.js';
import type { Logger } from '../util/logger.js';
import { packIngest, type IngestItem } from './ingest-batch.js';
import type { PipelineInstruments } from './pipeline.js';
import { phaseOf, seriesKey } from './series-key.js';
import type { WorkerHandle } from './worker-handle.js';

export interface Known {
  entry: string;
  worker: number;
  /** unix seconds of its newest sample from the source */
  lastT: number;
  simulated: boolean;
}

/** How a chunk is routed. */
export interface RouteMode {
  simulated: boolean;
  now: number;
  /** more of a first load follows: the workers wait before fitting */
  partial: boolean;
  /** new label sets may be created (a load or a backfill); else they are returned */
  admit: boolean;
  /** points older than the workers hold (the first load's older part) */
  older?: boolean;
}

export interface RouterOptions {
  config: Config;
  workers: WorkerHandle[];
  store: SeriesStore;
  logger: Logger;
  instruments: PipelineInstruments;
}

export class SeriesRouter {
  readonly known = new Map<string, Known>();
  /** label sets refused by limits.max_series this cycle (counted once per cycle, not per chunk) */
  private readonly refused = new Set<string>();

  constructor(private readonly o: RouterOptions) {}

  /** a new cycle: refusals are counted afresh */
  cycleStarted(): void {
    this.refused.clear();
  }

  /** Send each label set to its worker; returns the new label sets held back (when not admitted). */
  route(entry: SeriesConfig, result: SourceSeries[], mode: RouteMode): Labels[] {
    const { workers, config } = this.o;
    const perWorker: IngestItem[][] = workers.map(() => []);
    const fresh: Labels[] = [];
    let refused = 0;
    for (const s of result) {
      if (s.timestamps.length === 0) continue;
      const key = seriesKey(entry.name, s.labels);
      let known = this.known.get(key);
      const first = !known;
      if (!known) {
        if (!mode.admit) {
          fresh.push(s.labels);
          continue;
        }
        if (this.known.size >= config.limits.max_series) {
          if (!this.refused.has(key)) refused++;
          this.refused.add(key);
          continue;
        }
        known = {
          entry: entry.name,
          worker: Math.floor(phaseOf(key) * workers.length),
          lastT: -Infinity,
          simulated: false,
        };
        this.known.set(key, known);
      }
      known.lastT = Math.max(known.lastT, s.timestamps[s.timestamps.length - 1]);
      known.simulated = mode.simulated;
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
      const { simulated, now, partial, older } = mode;
      workers[i].submit({
        type: 'ingest',
        entry: entry.name,
        now,
        simulated,
        partial,
        older,
        batch: packIngest(items),
      });
    });
    if (refused > 0) {
      this.o.instruments.seriesDropped(entry.name, refused);
      this.o.logger.warn(
        { series: entry.name, dropped: refused, max_series: config.limits.max_series },
        'series dropped by limits.max_series',
      );
    }
    return fresh;
  }

  /** the entry's load is complete: its series may fit */
  loaded(entry: SeriesConfig, now: number): void {
    for (const worker of this.o.workers) worker.submit({ type: 'loaded', entry: entry.name, now });
  }

  /**
   * A label set the source stopped returning goes away once the source has answered for a while
   * past its last sample: limits.stale_after, but never less than two steps and a cycle, so a
   * long step (1h capacity forecasts) is not mistaken for churn between its samples. While the
   * source is down nothing goes stale: the last good forecasts keep being served. `covered` is
   * how far the source answered for an entry (for simulated stand-ins or the real source), and
   * `replaced` is true once a simulated stand-in's real source answers again.
   */
  dropStale(
    covered: (entry: string, simulated: boolean) => number | undefined,
    replaced: (entry: string) => boolean,
  ): void {
    const { config, workers, store } = this.o;
    const entries = new Map(config.series.map((e) => [e.name, e]));
    const byWorker: string[][] = workers.map(() => []);
    for (const [key, known] of this.known) {
      const entry = entries.get(known.entry)!;
      const until = covered(known.entry, known.simulated);
      const grace = staleAfterSeconds(config.limits.stale_after, entry.step, config.schedule.interval);
      const stale = until !== undefined && until - known.lastT > grace;
      if (stale || (known.simulated && replaced(known.entry))) {
        this.known.delete(key);
        store.delete(key);
        byWorker[known.worker].push(key);
      }
    }
    byWorker.forEach((keys, i) => keys.length > 0 && workers[i].submit({ type: 'drop', keys }));
  }

  /** A worker that died lost its series; forget them so the next cycle backfills them afresh. */
  lost(index: number, err: Error): void {
    let lost = 0;
    for (const [key, known] of this.known) {
      if (known.worker !== index) continue;
      this.known.delete(key);
      this.o.store.delete(key);
      lost++;
    }
    this.o.logger.error({ worker: index, lost, err: err.message }, 'worker thread died; reloading its series');
  }
}
