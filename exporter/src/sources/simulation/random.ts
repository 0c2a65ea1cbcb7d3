/**
 * Counter-based randomness: every draw is a hash of (seed, instance, stream, index), so any value
 * can be computed alone, for any time, in any order, and always comes out the same. Written by
 * hand (murmur3-style mixing) because stateful PRNG libraries cannot jump to an arbitrary index.
 */

const TWO_32 = 4294967296;

function mix(h: number, x: number): number {
  let k = Math.imul(x | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds a (possibly negative or > 32-bit) integer in as its low and high 32-bit halves. */
function mixWide(h: number, x: number): number {
  return mix(mix(h, x >>> 0), Math.floor(x / TWO_32));
}

/** A named stream of draws: the partial hash of (seed, instance, stream id). */
export type StreamKey = number;

export function streamKey(seed: number, instance: number, stream: number): StreamKey {
  return mix(mix(mixWide(0x2f6b7c1d, seed), instance), stream);
}

/** Uniform in (0, 1) for draw `index` of the stream. */
export function uniform(key: StreamKey, index: number): number {
  return (finish(mixWide(key, index)) + 0.5) / TWO_32;
}

/** Standard normal for draw `index` (Box-Muller over two independent uniforms). */
export function gaussian(key: StreamKey, index: number): number {
  const u1 = uniform(key, index * 2);
  const u2 = uniform(key, index * 2 + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * The knots last used, by stream (direct-mapped on the key's low bits): successive times of one
 * series fall between the same two knots for a whole period (24 points of 5 minutes in 2 hours),
 * and the two gaussians of a knot pair were most of a simulated point's cost.
 */
const KNOTS = 16;
const knotKey = new Int32Array(KNOTS);
const knotIndex = new Float64Array(KNOTS).fill(NaN);
const knotLeft = new Float64Array(KNOTS);
const knotRight = new Float64Array(KNOTS);

/**
 * Smooth random wander with unit variance at the knots: gaussians every `period` seconds joined
 * by a smoothstep, so nearby times get nearby values.
 */
export function smoothNoise(key: StreamKey, t: number, period: number): number {
  const x = t / period;
  const i = Math.floor(x);
  const f = x - i;
  const s = f * f * (3 - 2 * f);
  const slot = key & (KNOTS - 1);
  if (knotKey[slot] !== key || knotIndex[slot] !== i) {
    knotKey[slot] = key;
    knotIndex[slot] = i;
    knotLeft[slot] = gaussian(key, i);
    knotRight[slot] = gaussian(key, i + 1);
  }
  return knotLeft[slot] * (1 - s) + knotRight[slot] * s;
}
