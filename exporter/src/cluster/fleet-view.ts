/**
 * The KEDA scaler's view of a whole fleet, from any member: before answering a trigger, this
 * member asks the members that may own matching label sets for their records
 * (`/api/v1/cluster/records`, routes/cluster.ts) and reads them beside its own. When the
 * trigger's matchers pin every shard label to one value, only that slice's owners are asked (and
 * nobody when this member is one); otherwise every other member is. With replicas, one answer
 * per slice is enough; a slice no owner answered for makes the reading unavailable, so KEDA's
 * fallback applies rather than a sum that silently leaves series out.
 */
import type { ScalerQuery } from '../scaler/metadata.js';
import { formatMatchers } from '../scaler/matchers.js';
import type { ScalerView } from '../scaler/view.js';
import type { SeriesRecord } from '../store/record.js';
import type { Logger } from '../util/logger.js';
import { ENTRY_LABEL, type Membership } from './membership.js';
import type { PeerClient } from './peers.js';
import { fromWire, type WireRecord } from './record-wire.js';

/** triggers remembered (KEDA sends the same few every sync) */
const MAX_QUERIES = 1000;
/** how long records read from peers serve further readings of the same entry */
const REMOTE_TTL_MS = 1000;

interface Remote {
  record: SeriesRecord;
  /** performance.now() when it arrived */
  at: number;
}

export class FleetScalerView implements ScalerView {
  readonly interval: number;
  private readonly remote = new Map<string, Map<string, Remote>>();
  /** per query: the slices no member answered for at its last gathering */
  private readonly uncovered = new Map<string, number[]>();

  constructor(
    private readonly local: ScalerView,
    private readonly membership: Membership,
    private readonly peers: PeerClient,
    private readonly logger: Logger,
  ) {
    this.interval = local.interval;
  }

  entries(): readonly string[] {
    return this.local.entries();
  }

  entryStatus(entry: string) {
    return this.local.entryStatus(entry);
  }

  now(): number {
    return this.local.now();
  }

  /** this member's records, then what peers sent for the entry (the freshest copy of each) */
  *records(entry: string): Iterable<SeriesRecord> {
    const own = new Set<string>();
    for (const r of this.local.records(entry)) {
      own.add(r.key);
      yield r;
    }
    const cutoff = performance.now() - REMOTE_TTL_MS;
    for (const { record, at } of this.remote.get(entry)?.values() ?? []) {
      if (at >= cutoff && !own.has(record.key)) yield record;
    }
  }

  missing(query: ScalerQuery): string | undefined {
    const slices = this.uncovered.get(queryKey(query));
    if (!slices || slices.length === 0) return undefined;
    return `no member owning slice${slices.length > 1 ? 's' : ''} ${slices.join(', ')} of ${this.membership.members} answered`;
  }

  /** the slice every matching label set falls in, when the matchers pin all shard labels */
  private pinnedSlice(query: ScalerQuery): number | undefined {
    const values: Record<string, string> = {};
    for (const name of this.membership.shardBy) {
      if (name === ENTRY_LABEL) continue;
      const eq = query.matchers.find((m) => m.name === name && m.op === '=');
      if (!eq) return undefined;
      values[name] = eq.value;
    }
    return this.membership.slice(query.series, values);
  }

  /** Reads the peers' records for `query` (see the file comment); never throws. */
  async prepare(query: ScalerQuery): Promise<void> {
    const m = this.membership;
    const pinned = this.pinnedSlice(query);
    const needed = pinned === undefined ? Array.from({ length: m.members }, (_, h) => h) : [pinned];
    const open = new Set(needed.filter((h) => !m.ownsSlice(h)));
    if (this.uncovered.size >= MAX_QUERIES) this.uncovered.clear();
    if (open.size === 0) {
      this.uncovered.set(queryKey(query), []);
      return;
    }
    const ask = new Set<number>();
    for (const h of open) for (const owner of m.owners(h)) if (owner !== m.member) ask.add(owner);
    const path = `/api/v1/cluster/records?series=${encodeURIComponent(query.series)}&labels=${encodeURIComponent(formatMatchers(query.matchers))}`;
    const answers = await Promise.all(
      [...ask].map(async (member) => {
        try {
          const res = await this.peers.get(member, path);
          if (res.status !== 200) throw new Error(`HTTP ${res.status} ${res.body.toString('utf8', 0, 200)}`);
          return { member, records: (JSON.parse(res.body.toString('utf8')) as { records: WireRecord[] }).records };
        } catch (err) {
          this.logger.warn(
            { member, series: query.series, err: (err as Error).message },
            'fleet member did not answer',
          );
          return { member, records: undefined };
        }
      }),
    );
    const byKey = this.remote.get(query.series) ?? new Map<string, Remote>();
    this.remote.set(query.series, byKey);
    const at = performance.now();
    for (const { member, records } of answers) {
      if (!records) continue;
      for (const h of open) if (m.owners(h).includes(member)) open.delete(h);
      for (const w of records) {
        const record = fromWire(w);
        const old = byKey.get(record.key);
        if (
          !old ||
          old.at < at - REMOTE_TTL_MS ||
          (old.record.forecastAt ?? -Infinity) <= (record.forecastAt ?? -Infinity)
        )
          byKey.set(record.key, { record, at });
      }
    }
    this.uncovered.set(
      queryKey(query),
      [...open].sort((a, b) => a - b),
    );
  }
}

const queryKey = (q: ScalerQuery) => `${q.series}\n${formatMatchers(q.matchers)}`;
