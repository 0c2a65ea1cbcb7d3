/**
 * The --cluster.* flags of `cloudpulse run` and how they meet the config's `cluster:` section:
 * a flag wins over the file, and the membership (cluster/membership.ts) is resolved and checked
 * before anything starts, naming the flag or key path that is wrong.
 */
import { hostname as osHostname } from 'node:os';
import { SeriesForwarder } from '../cluster/forward.js';
import { FleetScalerView } from '../cluster/fleet-view.js';
import { Membership, MembershipError } from '../cluster/membership.js';
import { PeerClient } from '../cluster/peers.js';
import type { ScalerView } from '../scaler/view.js';
import type { Logger } from '../util/logger.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { FlagSpec, ParsedFlags } from './args.js';
import { UsageError } from './types.js';

export const CLUSTER_FLAGS: FlagSpec[] = [
  { name: 'cluster.members', type: 'number' },
  { name: 'cluster.member', type: 'number' },
  { name: 'cluster.replication', type: 'number' },
  { name: 'cluster.peer-url', type: 'string' },
];

export const CLUSTER_USAGE = `  --cluster.members N           members sharing the series (default 1; config cluster.members)
  --cluster.member I            this member's index 0..N-1 (default: the hostname's trailing ordinal)
  --cluster.replication R       members owning each series, at most N (default 1)
  --cluster.peer-url TEMPLATE   how to reach member {member}, e.g. http://cloudpulse-{member}.cloudpulse:9847`;

/**
 * The membership for `config` with the flags applied (they are written into `config.cluster`).
 * `hostname` defaults to the environment's HOSTNAME (a Kubernetes pod's name), else the OS's.
 */
export function membershipFrom(
  config: Config,
  flags: ParsedFlags,
  file: string,
  hostname = process.env.HOSTNAME || osHostname(),
): Membership {
  const keys: Partial<Record<'members' | 'member' | 'replication', string>> = {};
  for (const k of ['members', 'member', 'replication'] as const) {
    const v = flags[`cluster.${k}`];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new UsageError(`--cluster.${k} expects a whole number, got "${v}"`);
    config.cluster[k] = v;
    keys[k] = `--cluster.${k}`;
  }
  const peer = flags['cluster.peer-url'];
  if (typeof peer === 'string') {
    if (!peer.includes('{member}') || !URL.canParse(peer.replaceAll('{member}', '0')))
      throw new UsageError(`--cluster.peer-url expects a URL template containing {member}, got "${peer}"`);
    config.cluster.peer_url = peer;
  }
  try {
    return Membership.resolve(config.cluster, hostname, keys);
  } catch (err) {
    if (err instanceof MembershipError) throw new ConfigError(file, [err.message]);
    throw err;
  }
}

/** How readers on this member reach what the others own (cluster/fleet-view.ts, cluster/forward.ts). */
export interface FleetAccess {
  forward?: SeriesForwarder;
  scalerView(local: ScalerView): ScalerView;
  close(): Promise<void>;
}

/**
 * Peers for the KEDA scaler and the API when the fleet has several members and `peer_url` says
 * how to reach them; alone (or without a peer_url, said at start) readers see this member only.
 */
export function fleetAccess(config: Config, membership: Membership, logger: Logger): FleetAccess {
  const alone: FleetAccess = { scalerView: (local) => local, close: async () => {} };
  if (membership.all) return alone;
  if (!config.cluster.peer_url) {
    logger.warn(
      { members: membership.members },
      'cluster.peer_url is not set: the KEDA scaler and the API answer only for the series this member owns',
    );
    return alone;
  }
  const peers = new PeerClient(config.cluster, config.web.bearer_token_file);
  return {
    forward: new SeriesForwarder(membership, peers),
    scalerView: (local) => new FleetScalerView(local, membership, peers, logger),
    close: () => peers.close(),
  };
}
