/**
 * A bounded memory of contexts seen: context hashes and how often each was seen, in one
 * open-addressed table of fixed size. A slot holds 16 bits of the hash beside the bits that chose
 * the slot (about one lookup in 8,000 mistakes a new context for a known one, 3 bytes a slot). A contextual detector asks "was this sequence of facts
 * seen before?" thousands of times a day per series, and a JavaScript Map of every sequence ever
 * seen would grow without bound on a noisy series. When a probe run is full, the least-seen
 * entry of the run makes room (rare contexts are the cheapest to forget, and forgetting one only
 * makes it look new once more). Counts saturate at 255 and are halved, all at once, whenever
 * `capacity` new contexts have been stored, so old habits fade at the rate new ones arrive.
 */

/** slots searched for a key before the least-seen one is evicted */
const PROBES = 8;
const MAX_COUNT = 255;

export class ContextMemory {
  private readonly keys: Uint16Array;
  private readonly counts: Uint8Array;
  private readonly mask: number;
  private stored = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= PROBES && (capacity & (capacity - 1)) === 0)) {
      throw new RangeError(`capacity must be a power of two >= ${PROBES}, got ${capacity}`);
    }
    // one buffer for both (util/carve.ts says why)
    const buffer = new ArrayBuffer(capacity * 3);
    this.keys = new Uint16Array(buffer, 0, capacity);
    this.counts = new Uint8Array(buffer, capacity * 2, capacity);
    this.mask = capacity - 1;
  }

  /** times `key` (a non-zero hash) was seen */
  count(key: number): number {
    const tag = fingerprint(key);
    let i = key & this.mask;
    for (let p = 0; p < PROBES; p++, i = (i + 1) & this.mask) {
      if (this.keys[i] === tag) return this.counts[i];
      if (this.keys[i] === 0) return 0;
    }
    return 0;
  }

  /** counts one more sighting of `key`; returns the count before it */
  add(key: number): number {
    const tag = fingerprint(key);
    let i = key & this.mask;
    let weakest = i;
    for (let p = 0; p < PROBES; p++, i = (i + 1) & this.mask) {
      if (this.keys[i] === tag) {
        const before = this.counts[i];
        if (before < MAX_COUNT) this.counts[i] = before + 1;
        return before;
      }
      if (this.keys[i] === 0) {
        weakest = i;
        break;
      }
      if (this.counts[i] < this.counts[weakest]) weakest = i;
    }
    this.keys[weakest] = tag;
    this.counts[weakest] = 1;
    if (++this.stored >= this.capacity) this.fade();
    return 0;
  }

  /** halve every count; an entry left at 0 stays as a tombstone until it is overwritten */
  private fade(): void {
    this.stored = 0;
    for (let i = 0; i < this.capacity; i++) this.counts[i] >>= 1;
  }
}

/** the 16 high bits of a hash, never 0 (the mark of an empty slot) */
const fingerprint = (key: number): number => key >>> 16 || 1;

/** 32-bit finaliser (murmur3's): spreads every input bit over the output */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** hash of `h` followed by an integer-valued number (any magnitude a double holds exactly) */
export function mixHash(h: number, x: number): number {
  const lo = x | 0;
  const hi = Math.floor(x / 4294967296) | 0;
  return fmix(Math.imul(fmix(h ^ lo) ^ hi, 0x9e3779b1) + 0x7f4a7c15);
}

/** a hash usable as a memory key (0 marks an empty slot) */
export const asKey = (h: number): number => h || 1;
