/**
 * Loading a long range in time chunks small enough to parse without holding the event loop or
 * the heap: a first small chunk tells how many label sets the query returns, and the rest is cut
 * so each response holds about `sampleBudget` samples (about 6 MB of Prometheus JSON), oldest
 * first, each chunk handed on while the next ones are fetched. 10,000 label sets over 7 days at 5
 * minutes are 20 million samples: in one response that is over 600 MB of JSON.
 */
import type { SeriesConfig } from '../config/schema.js';
import type { Labels, Source, SourceSeries } from '../sources/types.js';

export const SAMPLE_BUDGET = 200_000;
/** steps in the first chunk, which only has to reveal the number of label sets */
const PROBE_STEPS = 12;

export interface ChunkedLoad {
  entry: SeriesConfig;
  /** the PromQL sent: the entry's query, narrowed to what this member owns (pipeline/ownership.ts) */
  query: string;
  /** the label sets this member keeps; a source that can skip the others cheaply does */
  keep?: (labels: Labels) => boolean;
  /** first and last grid times, inclusive */
  start: number;
  end: number;
  /** only these label sets (a backfill) */
  only?: Labels[];
  signal?: AbortSignal;
  sampleBudget?: number;
}

/** histories of at least this many points load their newest quarter first */
export const NEWEST_FIRST_POINTS = 1000;

/**
 * Where a first load of [start, end] splits: the newest quarter of a long history loads first, so
 * every series is fitted and forecasts from it (fits need whole series, and time chunks complete
 * every series only with the last one); the older part follows and each model is refitted on the
 * whole. Short histories load in one pass (returns `start`).
 */
export function newestFirstSplit(entry: SeriesConfig, start: number, end: number): number {
  const points = Math.round((end - start) / entry.step) + 1;
  if (points < NEWEST_FIRST_POINTS) return start;
  return end - Math.floor(points / 4) * entry.step + entry.step;
}

/** Steps per chunk for `seriesCount` label sets. */
export function chunkSteps(seriesCount: number, budget = SAMPLE_BUDGET): number {
  return Math.max(PROBE_STEPS, Math.min(10_000, Math.floor(budget / Math.max(1, seriesCount))));
}

/** requests in flight while a chunk is handed on: the server encodes while this thread parses */
const AHEAD = 2;

/**
 * The chunks of `load`, oldest first, as they arrive: the consumer pulls one while the next ones
 * are being fetched, so data flows one way (source, chunks, whoever routes them).
 */
export async function* loadChunks(source: Source, load: ChunkedLoad): AsyncGenerator<SourceSeries[]> {
  const { entry, end } = load;
  const step = entry.step;
  const inFlight: Array<Promise<SourceSeries[]>> = [];
  // a source on this thread gains nothing from asking early, and would hold the loop longer
  const ahead = source.local ? 1 : AHEAD;
  let from = load.start;
  const query = (steps: number) => {
    const to = Math.min(end, from + (steps - 1) * step);
    const answer = source.queryRange(
      {
        name: entry.name,
        query: load.query,
        start: from,
        end: to,
        step,
        simulate: entry.simulate,
        only: load.only,
        keep: load.keep,
      },
      load.signal,
    );
    // awaited in turn below (or abandoned when the consumer stops): never an unhandled rejection
    answer.catch(() => {});
    inFlight.push(answer);
    from = to + step;
  };
  // the first chunk is small unless the label sets are known: its answer sizes the rest
  query(load.only ? chunkSteps(load.only.length, load.sampleBudget) : PROBE_STEPS);
  while (inFlight.length > 0) {
    const result = await inFlight.shift()!;
    const steps = chunkSteps(result.length, load.sampleBudget);
    while (inFlight.length < ahead && from <= end) query(steps);
    // let the requests go out (and scrapes in) before this chunk takes the thread
    await new Promise((resolve) => setImmediate(resolve));
    yield result;
  }
}
