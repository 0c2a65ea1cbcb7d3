/**
 * Copies of one series from an HA Prometheus pair: the same series scraped by both replicas, seen
 * through a querier that does not deduplicate (federation, Thanos without --query.replica-label,
 * a mixed data source over both). They differ only in a replica label, or not at all.
 *
 * The rule (docs/plugin.md): series whose metric and labels are equal once the replica labels are
 * removed are copies (series without `__name__` only within one query). Of each set of copies one
 * is kept, taken from one replica for the whole panel so that forecasts, sample times and anomalies
 * come from the same scrapes: the replica whose data reaches furthest (its newest finite sample),
 * then the one with more finite samples, then the smallest replica label values ("a" before "b").
 * Copies from the same replica (exact duplicates) are ranked the same way, then by query order.
 */
import type { LabeledSeries } from './frames';

/** Labels that tell HA replicas apart (Thanos and Prometheus Operator conventions, Cortex/Mimir's HA tracker, a CloudPulse fleet's member copies). */
export const DEFAULT_REPLICA_LABELS = [
  'replica',
  'prometheus_replica',
  '__replica__',
  'prometheus',
  'cloudpulse_replica',
];

export interface Deduplicated {
  series: LabeledSeries[];
  /** how many copies were dropped */
  dropped: number;
  /** the replica the kept copies come from, as `name="value"` pairs; empty without replica labels */
  replica: string;
}

export function dedupeReplicas(all: LabeledSeries[], replicaLabels = DEFAULT_REPLICA_LABELS): Deduplicated {
  const copies = new Map<string, Array<{ series: LabeledSeries; replica: string; order: number }>>();
  const reach = new Map<string, Reach>();
  all.forEach((series, order) => {
    const { labels, replica } = splitReplica(series.labels, replicaLabels);
    const key = `${series.metric}${series.named ? '' : `@${series.refId ?? ''}`}{${canonical(labels)}}`;
    let set = copies.get(key);
    if (!set) copies.set(key, (set = []));
    set.push({ series: { ...series, labels }, replica, order });
    reach.set(replica, better(reach.get(replica), reachOf(series)));
  });

  const replicaRank = (replica: string) => reach.get(replica) ?? NO_REACH;
  const ranked = [...reach.keys()].sort((a, b) => compareReach(replicaRank(a), replicaRank(b)) || compare(a, b));
  const rankOf = new Map(ranked.map((replica, i) => [replica, i]));

  const kept: Array<{ series: LabeledSeries; order: number }> = [];
  for (const set of copies.values()) {
    set.sort(
      (a, b) =>
        rankOf.get(a.replica)! - rankOf.get(b.replica)! ||
        compareReach(reachOf(a.series), reachOf(b.series)) ||
        a.order - b.order,
    );
    kept.push(set[0]);
  }
  kept.sort((a, b) => a.order - b.order);
  return { series: kept.map((k) => k.series), dropped: all.length - kept.length, replica: ranked[0] ?? '' };
}

/** "replica, prometheus_replica" → the label names, as typed in the panel option. */
export function parseReplicaLabels(text: string | undefined): string[] {
  if (text === undefined) return DEFAULT_REPLICA_LABELS;
  return text
    .split(/[,\s]+/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

interface Reach {
  /** time of the newest finite sample */
  newest: number;
  /** number of finite samples */
  count: number;
}

const NO_REACH: Reach = { newest: -Infinity, count: 0 };

function reachOf(series: LabeledSeries): Reach {
  let newest = -Infinity;
  let count = 0;
  for (let i = 0; i < series.t.length; i++) {
    if (!Number.isFinite(series.v[i])) continue;
    count++;
    if (series.t[i] > newest) newest = series.t[i];
  }
  return { newest, count };
}

function better(a: Reach | undefined, b: Reach): Reach {
  return a ? { newest: Math.max(a.newest, b.newest), count: a.count + b.count } : b;
}

/** Negative when `a` reaches further (newer, then more samples). */
function compareReach(a: Reach, b: Reach): number {
  return b.newest - a.newest || b.count - a.count;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function splitReplica(all: Record<string, string>, replicaLabels: string[]) {
  const labels: Record<string, string> = {};
  const replica: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (replicaLabels.includes(name)) replica[name] = value;
    else labels[name] = value;
  }
  return { labels, replica: canonical(replica) };
}

function canonical(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',');
}
