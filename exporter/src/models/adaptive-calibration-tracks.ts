/**
 * Where an adaptive calibrator (adaptive-calibration.ts) keeps each calibrated horizon: ranges of
 * two shared arrays, one Float64 and one Float32, cut from one buffer (util/carve.ts). Forty small
 * buffers were 6 KB of every series, and then 36 views of one buffer 3.5 KB; two views cost only
 * their own object. Also the tracks' plain-JSON form (save and load). Pure.
 */
import { ModelError } from './types.js';
import { NAME, type AdaptiveCalibrationState } from './adaptive-calibration-options.js';

type SavedTrack = AdaptiveCalibrationState['tracks'][number];

/**
 * One calibrated horizon: forecasts awaiting their actual, and the scores of past ones. Each
 * field below that names an array is the index its range starts at in `f64` or `f32`.
 */
export interface Track {
  steps: number;
  /** slots of the pending FIFO */
  size: number;
  /**
   * FIFO of pending forecasts: target time and point (f64, `size` each), distances point->upper
   * / lower->point and the adjustment served per level (f32, `size` x levels each, slot-major;
   * NaN while that level had too few scores: a miss of the model's own band then says nothing
   * about the calibrated level, and must not move it)
   */
  target: number;
  point: number;
  up: number;
  down: number;
  served: number;
  pendingHead: number;
  pendingCount: number;
  /** ring of signed scores (f32), slot-major: scores + slot * levels + k */
  scores: number;
  scoreHead: number;
  scoreCount: number;
  /** adaptive offset of each level's quantile, and its current multiplier (f64, levels each) */
  offset: number;
  multiplier: number;
  /** 1 where the level's adjustment rests on enough scores (f32, levels) */
  ready: number;
  dirty: boolean;
}

/** The tracks of `horizons` (steps) for `k` levels, and the lengths of the two arrays they share. */
export function layoutTracks(
  horizons: number[],
  k: number,
  capacity: number,
  step: number,
  sampleSeconds: number,
): { tracks: Track[]; n64: number; n32: number } {
  let n64 = 0;
  let n32 = 0;
  const at64 = (length: number) => (n64 += length) - length;
  const at32 = (length: number) => (n32 += length) - length;
  const tracks = horizons.map((steps) => {
    const size = Math.ceil((steps * step) / sampleSeconds) + 2;
    return {
      steps,
      size,
      target: at64(size),
      point: at64(size),
      up: at32(size * k),
      down: at32(size * k),
      served: at32(size * k),
      pendingHead: 0,
      pendingCount: 0,
      scores: at32(capacity * k),
      scoreHead: 0,
      scoreCount: 0,
      offset: at64(k),
      multiplier: at64(k),
      ready: at32(k),
      dirty: false,
    };
  });
  return { tracks, n64, n32 };
}

/** A track as plain JSON: pending forecasts oldest first, scores oldest first as base64 Float32. */
export function saveTrack(tr: Track, f64: Float64Array, f32: Float32Array, k: number, capacity: number): SavedTrack {
  const size = tr.size;
  const order = Array.from({ length: tr.pendingCount }, (_, i) => (tr.pendingHead + i) % size);
  const perLevel = (at: number) => order.flatMap((slot) => Array.from(f32.subarray(at + slot * k, at + slot * k + k)));
  const oldest = (tr.scoreHead - tr.scoreCount + capacity) % capacity;
  const scores = new Float32Array(tr.scoreCount * k);
  for (let s = 0; s < tr.scoreCount; s++) {
    const slot = (oldest + s) % capacity;
    scores.set(f32.subarray(tr.scores + slot * k, tr.scores + slot * k + k), s * k);
  }
  return {
    pending: {
      target: order.map((slot) => f64[tr.target + slot]),
      point: order.map((slot) => f64[tr.point + slot]),
      up: perLevel(tr.up),
      down: perLevel(tr.down),
      served: perLevel(tr.served),
    },
    scores: Buffer.from(scores.buffer).toString('base64'),
    offset: Array.from(f64.subarray(tr.offset, tr.offset + k)),
  };
}

/** Fill a fresh track from its saved form; a ModelError when the form does not fit the track. */
export function loadTrack(
  tr: Track,
  saved: SavedTrack,
  f64: Float64Array,
  f32: Float32Array,
  k: number,
  capacity: number,
): void {
  const p = saved.pending;
  const count = p.target.length;
  // the ranges share one array: a range too long for its own is an error, as the typed array
  // of each would throw
  const slots = tr.size * k;
  if (
    count > tr.size ||
    p.point.length > tr.size ||
    p.up.length !== count * k ||
    p.down.length > slots ||
    p.served.length > slots ||
    saved.offset.length !== k
  ) {
    throw new ModelError(NAME, `state of horizon ${tr.steps} is inconsistent`);
  }
  f64.set(p.target, tr.target);
  f64.set(p.point, tr.point);
  f32.set(p.up, tr.up);
  f32.set(p.down, tr.down);
  // JSON writes NaN as null
  f32.set(
    p.served.map((v) => (typeof v === 'number' ? v : NaN)),
    tr.served,
  );
  tr.pendingCount = count;
  // copied into a fresh buffer: a decoded Buffer may sit at an offset Float32Array cannot view
  const bytes = Uint8Array.from(Buffer.from(saved.scores, 'base64'));
  const scores = new Float32Array(bytes.buffer, 0, Math.floor(bytes.length / 4));
  const rows = Math.min(capacity, Math.floor(scores.length / k));
  f32.set(scores.subarray(scores.length - rows * k), tr.scores);
  tr.scoreCount = rows;
  tr.scoreHead = rows % capacity;
  f64.set(saved.offset, tr.offset);
  tr.dirty = true;
}
