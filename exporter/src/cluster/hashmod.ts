/**
 * The hash Prometheus' relabelling computes for `action: hashmod`: the MD5 of the source label
 * values joined by the separator (`;` by default), its last 8 bytes read as a big-endian unsigned
 * 64-bit integer, modulo the modulus. A member of a CloudPulse fleet owns exactly the series that
 * a relabel rule with the same labels and modulus would send to its index, so a Prometheus shard
 * and a CloudPulse member can be paired, and ownership needs no coordination: every member
 * computes the same number. Pure: no I/O.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_SEPARATOR = ';';

/** `hashmod` of `values` (one per source label, "" for a missing label) with `modulus` > 0. */
export function hashmod(values: readonly string[], modulus: number, separator = DEFAULT_SEPARATOR): number {
  if (!Number.isInteger(modulus) || modulus < 1) throw new RangeError(`hashmod: bad modulus ${modulus}`);
  const digest = createHash('md5').update(values.join(separator), 'utf8').digest();
  // BigInt for the full 64 bits: a double holds only 53, and the remainder needs them all
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}
