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
  /** increments on every change */
  readonly version: number;
}

export class SeriesStore implements SeriesStoreReader {
  private readonly byKey = new Map<string, SeriesRecord>();
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
    this.perEntry.set(record.entry, (this.perEntry.get(record.entry) ?? 0) + 1);
    if (record.forecast) this.forecasts++;
    this.version++;
  }

  delete(key: string): boolean {
    const old = this.byKey.get(key);
    if (!old) return false;
    this.forget(old);
    this.byKey.delete(key);
    this.version++;
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
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let f = 0; f < SERIES_FAMILIES.length; f++) {
      let header: Buffer | undefined;
      for (const r of this.byKey.values()) {
        const from = r.offsets[f];
        const to = r.offsets[f + 1];
        if (to <= from) continue;
        if (!header) {
          header = Buffer.from(familyHeader(f));
          chunks.push(header);
          total += header.length;
        }
        chunks.push(r.exposition.subarray(from, to));
        total += to - from;
      }
    }
    const body = Buffer.concat(chunks, total);
    this.cached = { version: this.version, body };
    return body;
  }
}
