/**
 * The store between the pipeline and its readers. The pipeline replaces whole records; readers
 * get immutable records and the exposition bytes. Assembling `/metrics` walks the families once
 * and concatenates the pre-rendered bytes of every series (cached until the next change), so a
 * scrape costs a memory copy, not model work.
 */
import { SERIES_FAMILIES } from '../vocabulary.js';
import { familyHeader } from './exposition.js';
import type { SeriesRecord } from './record.js';

export interface SeriesStoreReader {
  get(key: string): SeriesRecord | undefined;
  /** every record, or those of one config entry */
  records(entry?: string): Iterable<SeriesRecord>;
  /** number of records, or of one entry's */
  size(entry?: string): number;
  /** true once any series has a forecast */
  readonly hasForecasts: boolean;
  /** records with a forecast */
  readonly forecasting: number;
  /** the per-series families as exposition text, concatenated */
  exposition(): Buffer;
  /** the same, assembled in slices with `pause` between them */
  assemble(pause: () => Promise<void>): Promise<Buffer>;
  onChange(listener: () => void): void;
  /** increments on every change */
  readonly version: number;
}

export class SeriesStore implements SeriesStoreReader {
  private readonly byKey = new Map<string, SeriesRecord>();
  /** each record's exposition cut into one view per family, made once when it arrives */
  private readonly parts = new Map<string, Array<Uint8Array | undefined>>();
  private readonly listeners: Array<() => void> = [];
  private readonly perEntry = new Map<string, number>();
  private forecasts = 0;
  private cached?: { version: number; body: Buffer };
  version = 0;

  get hasForecasts(): boolean {
    return this.forecasts > 0;
  }

  /** records with a forecast */
  get forecasting(): number {
    return this.forecasts;
  }

  put(record: SeriesRecord): void {
    const old = this.byKey.get(record.key);
    if (old) this.forget(old);
    this.byKey.set(record.key, record);
    const { exposition, offsets } = record;
    this.parts.set(
      record.key,
      SERIES_FAMILIES.map((_, f) =>
        offsets[f + 1] > offsets[f] ? exposition.subarray(offsets[f], offsets[f + 1]) : undefined,
      ),
    );
    this.perEntry.set(record.entry, (this.perEntry.get(record.entry) ?? 0) + 1);
    if (record.forecast) this.forecasts++;
    this.changed();
  }

  /** `listener` runs after every change (synchronously: keep it cheap) */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  delete(key: string): boolean {
    const old = this.byKey.get(key);
    if (!old) return false;
    this.forget(old);
    this.byKey.delete(key);
    this.parts.delete(key);
    this.changed();
    return true;
  }

  private forget(old: SeriesRecord): void {
    this.perEntry.set(old.entry, (this.perEntry.get(old.entry) ?? 1) - 1);
    if (old.forecast) this.forecasts--;
  }

  get(key: string): SeriesRecord | undefined {
    return this.byKey.get(key);
  }

  *records(entry?: string): Iterable<SeriesRecord> {
    for (const r of this.byKey.values()) if (entry === undefined || r.entry === entry) yield r;
  }

  size(entry?: string): number {
    return entry === undefined ? this.byKey.size : (this.perEntry.get(entry) ?? 0);
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  exposition(): Buffer {
    if (this.cached?.version === this.version) return this.cached.body;
    const version = this.version;
    const steps = this.fill();
    let step = steps.next();
    while (!step.done) step = steps.next();
    this.cached = { version, body: step.value };
    return step.value;
  }

  /** The same bytes as exposition(), assembled in slices: `pause` runs between them and may yield. */
  async assemble(pause: () => Promise<void>): Promise<Buffer> {
    const steps = this.fill();
    let step = steps.next();
    while (!step.done) {
      await pause();
      step = steps.next();
    }
    return step.value;
  }

  /**
   * Family after family, every series' bytes for it, from views made on arrival: one allocation
   * and one copy per (family, series). Works on a snapshot of the records taken at the start, so
   * changes while it is paused do not tear the output; pauses every 1,024 series.
   */
  private *fill(): Generator<void, Buffer> {
    const all = [...this.parts.values()];
    const families = SERIES_FAMILIES.length;
    const headers = SERIES_FAMILIES.map((_, f) => Buffer.from(familyHeader(f)));
    const present = new Uint8Array(families);
    let total = 0;
    for (const parts of all) {
      for (let f = 0; f < families; f++) {
        const part = parts[f];
        if (!part) continue;
        total += part.length;
        present[f] = 1;
      }
    }
    for (let f = 0; f < families; f++) if (present[f]) total += headers[f].length;
    const body = Buffer.allocUnsafe(total);
    let at = 0;
    for (let f = 0; f < families; f++) {
      if (!present[f]) continue;
      body.set(headers[f], at);
      at += headers[f].length;
      for (let i = 0; i < all.length; i++) {
        const part = all[i][f];
        if (part) {
          body.set(part, at);
          at += part.length;
        }
        if ((i & 1023) === 1023) yield;
      }
    }
    return body;
  }
}
