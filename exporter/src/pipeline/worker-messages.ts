/**
 * What passes between the pipeline and a worker, in both directions: commands in (points,
 * load progress, drops, entry-wide fits, questions), updates out (records, removals, events and
 * the worker's backlog). Plain data: on the exporter they cross a thread by structured clone.
 */
import type { SerializedModel } from '../models/types.js';
import type { SeriesRecord } from '../store/record.js';
import type { SampleDropReason, SeriesStage } from '../vocabulary.js';
import type { AnomalyEvent } from './anomaly-log.js';
import type { IngestBatch } from './ingest-batch.js';

export type WorkerCommand =
  | {
      type: 'ingest';
      entry: string;
      /** clock time, unix seconds */
      now: number;
      simulated: boolean;
      /** more of the first load follows: do not fit yet */
      partial: boolean;
      /** points older than the units hold (the first load's older part): known label sets only */
      older?: boolean;
      batch: IngestBatch;
    }
  /** the chunked load of an entry's history is complete: its units may fit now */
  | { type: 'loaded'; entry: string; now: number }
  | { type: 'drop'; keys: string[] }
  /** the histories of an entry's series, for an entry-wide fit */
  | { type: 'collect'; entry: string }
  /** fit the entry's model across these series (one worker does it for the whole entry) */
  | { type: 'train'; entry: string; series: TrainingSeries[] }
  /** serve the models of an entry-wide fit */
  | { type: 'install'; entry: string; now: number; network: unknown; models: InstallModel[] }
  | { type: 'detail'; key: string; maxPoints: number }
  /** answered once no first fit is waiting (the first load's older part waits for it) */
  | { type: 'fitted' }
  | { type: 'idle' };

export interface TrainingSeries {
  key: string;
  values: Float64Array;
  start: number;
  step: number;
  lastT: number;
}

export interface InstallModel {
  key: string;
  state: SerializedModel;
  /** the last point the model saw */
  fitT: number;
}

export type TrainResult = { network: unknown; models: InstallModel[]; seconds: number } | { error: string };

export type WorkerEvent =
  | { kind: 'anomaly'; event: AnomalyEvent }
  | { kind: 'error'; entry: string; key: string; stage: SeriesStage; message: string }
  | { kind: 'dropped'; entry: string; reason: SampleDropReason; count: number }
  | { kind: 'fit'; entry: string; model: string; seconds: number }
  | { kind: 'restored'; entry: string; key: string; ok: boolean }
  /** the requested model failed at a fit and `served` serves (undefined: the requested one again) */
  | { kind: 'fallback'; entry: string; key: string; requested: string; served?: string; reason?: string };

export interface WorkerBacklog {
  /** series owned */
  series: number;
  /** series waiting for their first fit */
  fits: number;
  /** series whose refit is due and waiting (after a first load: the refit on the whole history) */
  refits?: number;
  /** series whose detector is still scoring its loaded history */
  warmups: number;
  /** the worker's thread: V8 heap in use and committed, and external (typed array) memory, bytes */
  heapUsed?: number;
  heapCommitted?: number;
  external?: number;
}

export interface WorkerUpdate {
  records: SeriesRecord[];
  removed: string[];
  events: WorkerEvent[];
  /** the worker's queues after this update (progress of long work) */
  backlog?: WorkerBacklog;
}
