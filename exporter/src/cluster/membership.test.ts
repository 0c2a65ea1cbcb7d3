import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashmod } from './hashmod.js';
import { hostnameOrdinal, Membership, MembershipError } from './membership.js';

const settings = (o: Partial<Parameters<typeof Membership.resolve>[0]> = {}) => ({
  members: 4,
  replication: 1,
  shard_by: ['instance'],
  ...o,
});

describe('hashmod', () => {
  it('reads the last 8 bytes of the MD5 of the joined values as a big-endian integer', () => {
    const digest = createHash('md5').update('a;b').digest();
    const expected = Number(digest.readBigUInt64BE(8) % 7n);
    expect(hashmod(['a', 'b'], 7)).toBe(expected);
    expect(hashmod(['a', 'b'], 1)).toBe(0);
  });

  it('spreads many values over the members about evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[hashmod([`node-${i}:9100`], 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(1800);
  });
});

describe('Membership', () => {
  it('takes the member index from a StatefulSet pod name', () => {
    expect(hostnameOrdinal('cloudpulse-2')).toBe(2);
    expect(hostnameOrdinal('cloudpulse-12.cloudpulse.monitoring.svc')).toBe(12);
    expect(hostnameOrdinal('laptop')).toBeUndefined();
    expect(Membership.resolve(settings(), 'cloudpulse-3').member).toBe(3);
    expect(Membership.resolve(settings({ member: 1 }), 'cloudpulse-3').member).toBe(1);
    expect(Membership.resolve(settings({ members: 1 }), 'laptop').member).toBe(0);
  });

  it('refuses bad settings with the key and what was expected', () => {
    const refuse = (s: ReturnType<typeof settings>, host = 'x-0', keys = {}) => {
      try {
        Membership.resolve(s, host, keys);
      } catch (err) {
        expect(err).toBeInstanceOf(MembershipError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse(settings({ members: 0 }))).toMatch(/^cluster\.members: expected a whole number of members >= 1/);
    expect(refuse(settings({ member: 4 }))).toMatch(/^cluster\.member: expected a member index from 0 to 3 .*got 4/);
    expect(refuse(settings({ replication: 5 }))).toMatch(
      /^cluster\.replication: expected .* 1 to the number of members \(4\), got 5/,
    );
    expect(refuse(settings(), 'laptop')).toMatch(/^cluster\.member: .*hostname "laptop" does not end in -<ordinal>/);
    expect(refuse(settings(), 'cloudpulse-9')).toMatch(/got 9 from the hostname "cloudpulse-9"/);
    expect(refuse(settings({ member: 7 }), 'x', { member: '--cluster.member' })).toMatch(/^--cluster\.member:/);
  });

  it('gives every series to exactly R members, (h + r) mod N', () => {
    for (const replication of [1, 2, 3]) {
      const members = Array.from({ length: 4 }, (_, m) => Membership.resolve(settings({ member: m, replication }), ''));
      for (let i = 0; i < 500; i++) {
        const labels = { instance: `node-${i}:9100`, job: 'node' };
        const owners = members.filter((m) => m.owns('cpu', labels)).map((m) => m.member);
        const h = hashmod([labels.instance], 4);
        expect(owners.sort()).toEqual(members[0].owners(h).sort());
        expect(owners).toContain(h);
        expect(owners).toHaveLength(replication);
      }
    }
  });

  it('hashes the entry name where shard_by says series, and "" for a missing label', () => {
    const m = Membership.resolve(settings({ member: 0, shard_by: ['series', 'instance'] }), '');
    expect(m.shardValues('cpu', { job: 'x' })).toEqual(['cpu', '']);
    expect(m.slice('cpu', { instance: 'a' })).toBe(hashmod(['cpu', 'a'], 4));
  });
});
