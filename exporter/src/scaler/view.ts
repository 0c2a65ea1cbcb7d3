/**
 * All the scaler may read: the store's records of one entry, the entry's source state, the
 * schedule and the clock. `cloudpulse run` implements it over the pipeline's store and status;
 * the scaler never reaches into the pipeline.
 */
import type { SeriesRecord } from '../store/record.js';
import type { ScalerQuery } from './metadata.js';

export interface ScalerView {
  /** the names of the config's series entries */
  entries(): readonly string[];
  /** the records of one entry */
  records(entry: string): Iterable<SeriesRecord>;
  /** the entry's source state; undefined for an unknown entry */
  entryStatus(entry: string): { up: boolean; simulated: boolean } | undefined;
  /** schedule.interval, seconds */
  readonly interval: number;
  /** unix seconds (the exporter's clock, which a simulation may run fast) */
  now(): number;
  /** on a fleet: read what other members hold for the trigger before it is answered */
  prepare?(query: ScalerQuery): Promise<void>;
  /** on a fleet: why some matching label sets may be missing (a member did not answer), if so */
  missing?(query: ScalerQuery): string | undefined;
}
