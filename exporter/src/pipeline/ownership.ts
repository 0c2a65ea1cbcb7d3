/**
 * The ownership stage of one config entry's fetch: what this fleet member asks its source for,
 * and which label sets it keeps. With one member it asks for the query as written. With several:
 *
 * - a source that computes its answers (the simulation) is told which label sets to keep and
 *   computes only those;
 * - a Prometheus-compatible source gets the query narrowed to the shard label values this member
 *   owns (cluster/narrow.ts), found by a label-only listing of the selectors' series before each
 *   fetch, so the member receives about R/N of the samples;
 * - a query that cannot be narrowed is fetched whole and filtered here; start-up says so, and so
 *   does `cloudpulse_cluster_query_narrowed`.
 *
 * Whatever the source, only owned label sets pass on to the workers.
 */
import type { SeriesConfig } from '../config/schema.js';
import { ENTRY_LABEL, type Membership } from '../cluster/membership.js';
import { narrowQuery, planNarrowing, type NarrowingPlan } from '../cluster/narrow.js';
import type { Labels, Source } from '../sources/types.js';

/** What one fetch sends: the query text, or nothing at all when this member owns none of it. */
export interface OwnedQuery {
  query: string;
  /** the label sets to keep; undefined keeps all */
  keep?: (labels: Labels) => boolean;
}

/** ownership decisions remembered per entry (each a hash of the shard label values) */
const MAX_DECISIONS = 200_000;

export class EntryOwnership {
  /** the shard labels the query is narrowed by (the entry-name label needs no matcher) */
  private readonly labels: string[];
  private readonly plan: NarrowingPlan;
  /** per owned value combination: the last listing end that returned it */
  private readonly owned = new Map<string, { values: string[]; seen: number }>();
  private narrowed?: string;
  private readonly decided = new Map<string, boolean>();

  constructor(
    readonly entry: SeriesConfig,
    private readonly membership: Membership,
  ) {
    this.labels = membership.shardBy.filter((l) => l !== ENTRY_LABEL);
    this.plan = membership.all
      ? { narrowable: true, labels: [], selectors: [] }
      : planNarrowing(entry.query, this.labels);
  }

  /** why the query is fetched whole on a fleet, or undefined when it is narrowed (or need not be) */
  get wholeReason(): string | undefined {
    return this.plan.narrowable ? undefined : this.plan.reason;
  }

  /** true when this member asks `source` only for what it owns (always, when alone) */
  narrowedFor(source: Source): boolean {
    return this.membership.all || source.local === true || this.plan.narrowable;
  }

  /** this member keeps the label set; decisions are remembered per shard-label values */
  readonly keep = (labels: Labels): boolean => {
    if (this.membership.all) return true;
    const values = this.membership.shardValues(this.entry.name, labels);
    const id = values.join('\u0000');
    let owns = this.decided.get(id);
    if (owns === undefined) {
      owns = this.membership.owns(this.entry.name, labels);
      // label values come and go: a bounded memory of decisions, rebuilt when it overflows
      if (this.decided.size >= MAX_DECISIONS) this.decided.clear();
      this.decided.set(id, owns);
    }
    return owns;
  };

  /**
   * What to send to `source` for [start, end]. For a narrowable query on a remote source this
   * lists the selectors' shard label values first (label-only: no samples travel).
   */
  async query(source: Source, start: number, end: number, signal?: AbortSignal): Promise<OwnedQuery | undefined> {
    const { entry, membership } = this;
    if (membership.all) return { query: entry.query };
    if (this.labels.length === 0) {
      // ownership by entry name alone: the whole entry is this member's, or none of it is
      return this.keep({}) ? { query: entry.query } : undefined;
    }
    if (source.local || !this.plan.narrowable || !source.listLabelValues)
      return { query: entry.query, keep: this.keep };
    const listed = await source.listLabelValues(
      { name: entry.name, selectors: this.plan.selectors.map((s) => s.text), labels: this.labels, start, end },
      signal,
    );
    this.remember(listed, end);
    if (this.owned.size === 0) return undefined;
    return { query: this.narrowed!, keep: this.keep };
  }

  /** fold a listing into the owned value sets; rebuild the narrowed query when they change */
  private remember(listed: Labels[], end: number): void {
    let changed = false;
    const missing = Object.fromEntries(this.labels.map((l) => [l, '']));
    // series without the shard labels exist only if the query returns them; the owner of ""
    // asks for them too, or nobody would
    for (const combo of [missing, ...listed]) {
      if (!this.keep(combo)) continue;
      const values = this.labels.map((l) => combo[l] ?? '');
      const id = values.join('\u0000');
      const known = this.owned.get(id);
      if (known) known.seen = end;
      else {
        this.owned.set(id, { values, seen: end });
        changed = true;
      }
    }
    // values not listed for a whole lookback have left the source
    for (const [id, o] of this.owned) {
      if (o.seen < end - this.entry.lookback && o.values.some((v) => v !== '')) {
        this.owned.delete(id);
        changed = true;
      }
    }
    if (!changed && this.narrowed !== undefined) return;
    const perLabel = new Map<string, string[]>(
      this.labels.map((l, i) => [l, [...new Set([...this.owned.values()].map((o) => o.values[i]))].sort()]),
    );
    this.narrowed = narrowQuery(this.entry.query, this.plan as NarrowingPlan & { narrowable: true }, perLabel);
  }
}
