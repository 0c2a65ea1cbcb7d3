/**
 * The per-series part of /metrics as scrapes get it: one snapshot of the store, assembled in
 * slices that yield to the event loop and compressed on libuv's thread pool, shared by every
 * scrape until the store changes. At 10,000 series the part is tens of MB: assembling and
 * compressing it takes a few hundred milliseconds of CPU, which no scrape should wait for.
 *
 * Freshness: a change is published `debounceMs` after it, but snapshots are spaced by at least
 * `costFactor` times what the last one took (capped at `minIntervalMs`), so while the store
 * changes continuously (a first load, a refit wave) publishing costs a bounded share of a core:
 * a small store publishes every change, 10,000 series publish every few seconds. Scrapes get the
 * newest finished snapshot. A scrape waits only when there is none, or when the newest is behind
 * the store and older than `maxAgeMs` (three times the longest spacing: publishing has stalled),
 * and then for one snapshot begun after it arrived, but never longer than `maxWaitMs`: when the
 * CPU is short (a first load of 25,000 series with other members on the node) a snapshot can
 * take longer than a scrape's timeout, and a late answer is worth less than the last one.
 */
import { deflatePrefix, type DeflatedPrefix } from '../util/gzip-prefix.js';
import type { SeriesStoreReader } from './series-store.js';

export interface Snapshot {
  version: number;
  plain: Buffer;
  deflated: DeflatedPrefix;
  /** performance.now() when it was taken */
  takenAt: number;
}

export interface PublishOptions {
  /** default 250 ms */
  debounceMs?: number;
  /** the longest spacing between snapshots, default 5 s */
  minIntervalMs?: number;
  /** spacing between snapshots as a multiple of the last one's cost, default 20 (5% of a core) */
  costFactor?: number;
  /** a scrape waits for a newer snapshot when the newest is behind the store and older; default 15 s */
  maxAgeMs?: number;
  /** the longest such a wait lasts before the newest snapshot is served anyway; default 250 ms, the p99 a scrape is allowed */
  maxWaitMs?: number;
}

/** how long an assembly slice may hold the event loop */
const SLICE_MS = 8;

export class PublishedExposition {
  private latest?: Snapshot;
  private building?: { startedAt: number; snapshot: Promise<Snapshot> };
  private timer?: NodeJS.Timeout;
  private readonly debounceMs: number;
  private readonly minIntervalMs: number;
  private readonly maxAgeMs: number;
  private readonly costFactor: number;
  private readonly maxWaitMs: number;
  private lastCostMs = 0;

  constructor(
    private readonly store: SeriesStoreReader,
    options: PublishOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 250;
    this.minIntervalMs = options.minIntervalMs ?? 5000;
    this.maxAgeMs = options.maxAgeMs ?? 15_000;
    this.costFactor = options.costFactor ?? 20;
    this.maxWaitMs = options.maxWaitMs ?? 250;
    store.onChange(() => this.schedule());
  }

  /** The snapshot a scrape should send now. */
  async current(): Promise<Snapshot> {
    const latest = this.latest;
    if (latest && (latest.version === this.store.version || performance.now() - latest.takenAt < this.maxAgeMs)) {
      return latest;
    }
    const fresh = this.fresher();
    if (!latest) return fresh;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Snapshot>((resolve) => {
      timer = setTimeout(() => resolve(this.latest ?? latest), this.maxWaitMs);
    });
    try {
      return await Promise.race([fresh, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** one snapshot begun after now: while the store keeps changing (a first load), waiting for one
   * of the very newest version would wait until the changes stop */
  private async fresher(): Promise<Snapshot> {
    const asked = performance.now();
    const building = this.building;
    if (building && building.startedAt >= asked) return building.snapshot;
    if (building) await building.snapshot.catch(() => undefined);
    return this.build();
  }

  private schedule(): void {
    if (this.timer || this.building) return;
    const sinceLast = this.latest ? performance.now() - this.latest.takenAt : Infinity;
    const spacing = Math.min(this.minIntervalMs, this.costFactor * this.lastCostMs);
    const wait = Math.max(this.debounceMs, spacing - sinceLast);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.build().catch(() => {});
    }, wait);
    this.timer.unref();
  }

  private build(): Promise<Snapshot> {
    if (!this.building) {
      const snapshot = this.take().finally(() => {
        this.building = undefined;
        if (this.latest && this.latest.version !== this.store.version) this.schedule();
      });
      this.building = { startedAt: performance.now(), snapshot };
    }
    return this.building.snapshot;
  }

  private async take(): Promise<Snapshot> {
    const version = this.store.version;
    const takenAt = performance.now();
    let slice = takenAt;
    const plain = await this.store.assemble(async () => {
      if (performance.now() - slice < SLICE_MS) return;
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    });
    const deflated = await deflatePrefix(plain);
    const snapshot = { version, plain, deflated, takenAt };
    this.lastCostMs = performance.now() - takenAt;
    if (!this.latest || this.latest.version <= version) this.latest = snapshot;
    return snapshot;
  }
}
