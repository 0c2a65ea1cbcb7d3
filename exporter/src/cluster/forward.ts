/**
 * API requests for a series another member owns: the key says which slice the series is in, the
 * slice says its owners, and the first owner that answers is relayed as it answered. A request
 * that was forwarded once is never forwarded again.
 */
import { parseSeriesKey } from '../pipeline/series-key.js';
import type { Membership } from './membership.js';
import type { PeerAnswer, PeerClient } from './peers.js';

export class SeriesForwarder {
  constructor(
    private readonly membership: Membership,
    private readonly peers: PeerClient,
  ) {}

  /** the other members that own the series with `key`, primary first; [] when this one does */
  ownersOf(key: string): number[] {
    const parsed = parseSeriesKey(key);
    if (!parsed) return [];
    const m = this.membership;
    const h = m.slice(parsed.name, parsed.labels);
    return m.ownsSlice(h) ? [] : m.owners(h);
  }

  /** `path` from the first owner of `key` that answers; undefined when this member owns it or none answered */
  async get(key: string, path: string): Promise<PeerAnswer | { unreachable: number[] } | undefined> {
    const owners = this.peers.configured ? this.ownersOf(key) : [];
    if (owners.length === 0) return undefined;
    for (const member of owners) {
      try {
        return await this.peers.get(member, path);
      } catch {
        // the next replica may answer
      }
    }
    return { unreachable: owners };
  }
}
