/** Where series come from. One source per file in this folder, listed by name in `index.ts`. */

export type Labels = Record<string, string>;

/** All points of one label set returned by a query, oldest first, timestamps in unix seconds. */
export interface SourceSeries {
  labels: Labels;
  timestamps: number[];
  values: number[];
}

export interface RangeQuery {
  /** the config entry's name; simulation uses it to pick the kind of metric */
  name: string;
  /** PromQL */
  query: string;
  /** inclusive start, unix seconds */
  start: number;
  /** inclusive end, unix seconds */
  end: number;
  /** resolution in seconds */
  step: number;
  /** simulated metric kind when the source is the simulation */
  simulate?: 'cpu' | 'memory' | 'network';
  /** return only these label sets (backfilling label sets that appeared after start) */
  only?: Labels[];
  /**
   * The label sets the caller keeps (the ones this fleet member owns). A source that computes its
   * answers (the simulation) skips the others; a remote one returns what the query selects, and
   * the caller filters.
   */
  keep?: (labels: Labels) => boolean;
}

/** Which values of some labels exist among the series a query reads (label-only, no samples). */
export interface LabelListing {
  /** the config entry's name, for logs and self-metrics */
  name: string;
  /** series selectors, e.g. `node_cpu_seconds_total{mode="idle"}` */
  selectors: string[];
  /** label names whose distinct value combinations are wanted */
  labels: string[];
  /** unix seconds, inclusive */
  start: number;
  end: number;
}

/** true when `labels` is exactly one of `sets` */
export function isOneOf(labels: Labels, sets: Labels[]): boolean {
  const keys = Object.keys(labels);
  return sets.some((s) => {
    const sk = Object.keys(s);
    return sk.length === keys.length && sk.every((k) => labels[k] === s[k]);
  });
}

export interface Source {
  readonly kind: string;
  /** true when the data is not real; exported as cloudpulse_source_simulated */
  readonly simulated: boolean;
  /**
   * true when answers are computed on this thread (the simulation): asking for the next chunk
   * early only interleaves more work between two turns of the event loop, so loads do not
   */
  readonly local?: boolean;
  /** every label set the query returns over [start, end] at `step`, in one logical request */
  queryRange(query: RangeQuery, signal?: AbortSignal): Promise<SourceSeries[]>;
  /**
   * The distinct combinations of `labels` (missing ones as "") among the series the selectors
   * match; a member narrows its queries to the values it owns with them. Sources that honour
   * `RangeQuery.keep` need not implement it.
   */
  listLabelValues?(listing: LabelListing, signal?: AbortSignal): Promise<Labels[]>;
  close?(): Promise<void>;
}

/** why a query failed, as counted in cloudpulse_source_query_errors_total{reason} */
export type SourceErrorReason = 'timeout' | 'http_5xx' | 'http_4xx' | 'network' | 'parse' | 'too_large' | 'other';

export class SourceError extends Error {
  readonly reason: SourceErrorReason;
  constructor(
    readonly source: string,
    message: string,
    /** worth retrying (network error, timeout, 5xx, 429) */
    readonly retryable: boolean,
    options?: { cause?: unknown; reason?: SourceErrorReason },
  ) {
    super(message, options);
    this.reason = options?.reason ?? 'other';
    this.name = 'SourceError';
  }
}
