/**
 * Series on their way to one worker, one column per buffer. A first load sends a worker 5,000
 * series per chunk: as objects with two typed arrays each, the structured clone and the transfer
 * list of 10,000 buffers cost the main thread more than parsing the chunk. Packed, a message
 * moves three buffers, and labels travel only the first time a worker sees a label set.
 */
import type { Labels } from '../sources/types.js';
import { seriesKey } from './series-key.js';

export interface IngestBatch {
  keys: string[];
  /** a series' labels the first time its worker is sent it, else null (the worker knows it by key) */
  labels: Array<Labels | null>;
  /** series i's points are at [offsets[i], offsets[i + 1]) */
  offsets: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
}

export interface IngestItem {
  key: string;
  labels: Labels | null;
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

export function packIngest(items: IngestItem[]): IngestBatch {
  const offsets = new Uint32Array(items.length + 1);
  for (let i = 0; i < items.length; i++) offsets[i + 1] = offsets[i] + items[i].timestamps.length;
  const timestamps = new Float64Array(offsets[items.length]);
  const values = new Float64Array(offsets[items.length]);
  items.forEach((item, i) => {
    timestamps.set(item.timestamps, offsets[i]);
    values.set(item.values, offsets[i]);
  });
  return { keys: items.map((x) => x.key), labels: items.map((x) => x.labels), offsets, timestamps, values };
}

/** the series of a batch, as views into its buffers */
export function* unpackIngest(
  batch: IngestBatch,
): Generator<IngestItem & { timestamps: Float64Array; values: Float64Array }> {
  for (let i = 0; i < batch.keys.length; i++) {
    const from = batch.offsets[i];
    const to = batch.offsets[i + 1];
    yield {
      key: batch.keys[i],
      labels: batch.labels[i],
      timestamps: batch.timestamps.subarray(from, to),
      values: batch.values.subarray(from, to),
    };
  }
}

export function ingestBuffers(batch: IngestBatch): ArrayBuffer[] {
  return [batch.offsets.buffer, batch.timestamps.buffer, batch.values.buffer] as ArrayBuffer[];
}

/** a batch of new series with their labels (tests and one-off callers) */
export function ingestOf(
  entry: string,
  series: Array<{ labels: Labels; timestamps: ArrayLike<number>; values: ArrayLike<number> }>,
): IngestBatch {
  return packIngest(series.map((s) => ({ ...s, key: seriesKey(entry, s.labels) })));
}
