/**
 * Which series this process owns when several share a fleet. There is no coordination: every
 * member hashes a series' `shard_by` label values the way a Prometheus `hashmod` relabel rule
 * does (hashmod.ts) and owns the series when its own index is one of the R members after that
 * hash: owners(h) = (h + r) mod N for r = 0..R-1. Kubernetes gives each member its index (a
 * StatefulSet names its pods `<name>-<ordinal>`) and restarts it; a Prometheus-compatible store
 * deduplicates the R replicas. Pure: the hostname comes in as an argument.
 */
import type { Labels } from '../sources/types.js';
import { hashmod } from './hashmod.js';

/** the label in `shard_by` that stands for the config entry's name (the outputs' `series` label) */
export const ENTRY_LABEL = 'series';

export interface ClusterSettings {
  members: number;
  member?: number;
  replication: number;
  shard_by: string[];
}

/** A bad cluster setting: `key` is the config key path or the flag it came from. */
export class MembershipError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'MembershipError';
  }
}

/** the trailing ordinal of a StatefulSet pod's hostname (`cloudpulse-2` -> 2), or undefined */
export function hostnameOrdinal(hostname: string): number | undefined {
  const m = /-(\d+)$/.exec(hostname.split('.')[0]);
  return m ? Number(m[1]) : undefined;
}

export class Membership {
  /** one process owning everything: no hashing at all */
  static readonly single = new Membership(1, 0, 1, ['instance']);

  private constructor(
    /** N */
    readonly members: number,
    /** this process' index, 0..N-1 */
    readonly member: number,
    /** R: how many members own each series */
    readonly replication: number,
    /** labels whose values decide ownership, in hash order */
    readonly shardBy: readonly string[],
  ) {}

  /**
   * Checks the settings and resolves the member index (by default the hostname's trailing
   * ordinal). `keys` names where each setting came from, for the error message.
   */
  static resolve(
    s: ClusterSettings,
    hostname: string,
    keys: Partial<Record<'members' | 'member' | 'replication', string>> = {},
  ): Membership {
    const key = (k: 'members' | 'member' | 'replication') => keys[k] ?? `cluster.${k}`;
    if (!Number.isInteger(s.members) || s.members < 1)
      throw new MembershipError(key('members'), `expected a whole number of members >= 1, got ${s.members}`);
    if (!Number.isInteger(s.replication) || s.replication < 1 || s.replication > s.members) {
      throw new MembershipError(
        key('replication'),
        `expected a whole number from 1 to the number of members (${s.members}), got ${s.replication}`,
      );
    }
    let member = s.member;
    let from = key('member');
    if (member === undefined) {
      if (s.members === 1) member = 0;
      else {
        member = hostnameOrdinal(hostname);
        from = `the hostname "${hostname}"`;
        if (member === undefined) {
          throw new MembershipError(
            key('member'),
            `expected a member index from 0 to ${s.members - 1} with ${s.members} members; none is set and the hostname "${hostname}" does not end in -<ordinal> as a StatefulSet pod's does`,
          );
        }
      }
    }
    if (!Number.isInteger(member) || member < 0 || member >= s.members) {
      throw new MembershipError(
        key('member'),
        `expected a member index from 0 to ${s.members - 1} (${s.members} members), got ${member} from ${from}`,
      );
    }
    if (s.shard_by.length === 0) throw new MembershipError('cluster.shard_by', 'expected at least one label name');
    return new Membership(s.members, member, s.replication, [...s.shard_by]);
  }

  /** true when this process owns every series */
  get all(): boolean {
    return this.replication >= this.members;
  }

  /** the values a hashmod rule over `shard_by` reads for this series ("" for a missing label) */
  shardValues(entry: string, labels: Labels): string[] {
    return this.shardBy.map((name) => (name === ENTRY_LABEL ? entry : (labels[name] ?? '')));
  }

  /** h: the series' slice, 0..N-1, as a Prometheus hashmod rule with modulus N computes it */
  slice(entry: string, labels: Labels): number {
    return this.members === 1 ? 0 : hashmod(this.shardValues(entry, labels), this.members);
  }

  /** the members owning slice `h`, the primary first */
  owners(h: number): number[] {
    return Array.from({ length: this.replication }, (_, r) => (h + r) % this.members);
  }

  /** true when this member is among slice `h`'s owners */
  ownsSlice(h: number): boolean {
    return (((this.member - h) % this.members) + this.members) % this.members < this.replication;
  }

  owns(entry: string, labels: Labels): boolean {
    return this.all || this.ownsSlice(this.slice(entry, labels));
  }

  /** the slices this member owns, ascending */
  ownedSlices(): number[] {
    return Array.from({ length: this.members }, (_, h) => h).filter((h) => this.ownsSlice(h));
  }
}
