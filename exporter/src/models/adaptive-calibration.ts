/**
 * Online adaptive conformal calibration of served forecast bands, for any model.
 *
 * Per calibrated horizon (steps ahead) and level, it remembers the bands the model gave, and when
 * the actual arrives scores how far outside the band it fell (negative when inside: the
 * conformalised quantile regression score of Romano et al. 2019). The served band is the model's
 * band with the conformal quantile of the recent scores added to both half-widths
 * (split-conformal on a rolling window; negative narrows it), at a level nudged by adaptive
 * conformal inference (Gibbs & Candes 2021): each miss raises it, each hit lowers it a little,
 * so the long-run share of misses is held at 1 - level even while the series changes. Scores of
 * overlapping forecasts are correlated, so the quantile's finite-sample correction counts the
 * effective number of independent scores (calibration.ts, `effectiveSampleSize`, times 4).
 * The other score, error over half-width with multiplied half-widths, is kept as an option
 * (`score: 'ratio'`); it covered as well but its bands blew up (see `score`).
 *
 * The window is one week by default (long enough for weekly patterns), at any step: at most
 * `capacity` forecasts are scored per window, one every `sampleSeconds` (40 minutes at the
 * defaults), so memory is fixed: typed rings of capacity x levels floats per horizon. Until a
 * horizon has enough scores for a level its adjustment leaves the model's own band.
 *
 * Usage, per series (pure: no clock, times are unix seconds of the series' grid):
 *
 *   const calibration = new AdaptiveCalibration({ step: 300, horizons: [12, 48], levels: [0.8, 0.95] });
 *   // after each forecast from the last observed point (at unix time `origin`):
 *   calibration.record(origin, raw);            // the model's own forecast, steps 1..H
 *   const served = calibration.adjust(raw);     // every step 1..H, interpolated between horizons
 *   // for each new actual:
 *   calibration.observe(t, value);
 *   // persistence:
 *   const state = calibration.toJSON();         // plain JSON, a few KB
 *   const again = AdaptiveCalibration.restore(state);
 *
 * `record` keeps at most one forecast per `sampleSeconds`, so calling it every cycle is fine.
 * No served band is narrower than the series' width floor (half the quantum of the values it
 * has observed, resolution.ts): an adjustment learned on a stretch of exact forecasts can take
 * a band to nothing, and a band of no width helps no one.
 * Calling `adjust` on a result whose levels were not calibrated interpolates the multiplier
 * between the calibrated levels (the nearest one outside them).
 */
import { carve } from '../util/carve.js';
import type { ForecastResult, Interval } from './types.js';
import { ModelError } from './types.js';
import { effectiveSampleSize } from './calibration.js';
import { Resolution } from './resolution.js';

import {
  NAME,
  VERSION,
  resolveOptions,
  type AdaptiveCalibrationOptions,
  type AdaptiveCalibrationState,
  type Resolved,
} from './adaptive-calibration-options.js';

export type { AdaptiveCalibrationOptions, AdaptiveCalibrationState } from './adaptive-calibration-options.js';

/**
 * One calibrated horizon: forecasts awaiting their actual, and the scores of past ones. Its
 * arrays are ranges of the calibrator's two shared arrays (`f64`, `f32`), each field below the
 * index its range starts at: a view per small array cost about 100 bytes of every series each.
 */
interface Track {
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

/** (n + 1) L <= n needs n >= L / (1 - L) scores; ten at least so a multiplier rests on more than a handful */
function minimumScores(level: number): number {
  return Math.max(10, Math.ceil(level / (1 - level)));
}

export class AdaptiveCalibration {
  readonly options: Resolved;
  private readonly tracks: Track[];
  /** every track's Float64 ranges (target, point, offset, multiplier) */
  private readonly f64: Float64Array;
  /** every track's Float32 ranges (up, down, served, scores, ready) */
  private readonly f32: Float32Array;
  private lastRecorded = -Infinity;
  private resolution = new Resolution();
  /**
   * excess scores are stored in units of the magnitude of the first recorded forecast, so the
   * Float32 rings hold them at any scale of the series
   */
  private unit = NaN;

  constructor(options: AdaptiveCalibrationOptions) {
    this.options = resolveOptions(options);
    const { horizons, levels, capacity, step, sampleSeconds } = this.options;
    const k = levels.length;
    // every track's rings in one buffer with two views (util/carve.ts): 40 small buffers were
    // 6 KB per series, and then 36 views of one buffer 3.5 KB
    let n64 = 0;
    let n32 = 0;
    const at64 = (length: number) => (n64 += length) - length;
    const at32 = (length: number) => (n32 += length) - length;
    this.tracks = horizons.map((steps) => {
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
    const { f64, f32 } = carve((c) => ({ f64: c.f64(n64), f32: c.f32(n32) }));
    this.f64 = f64;
    this.f32 = f32;
    for (const tr of this.tracks) f64.fill(this.neutral, tr.multiplier, tr.multiplier + k);
  }

  /** the adjustment that leaves the model's band as it is */
  private get neutral(): number {
    return this.options.score === 'excess' ? 0 : 1;
  }

  /** Remember the model's own forecast made after the point at unix time `origin`. */
  record(origin: number, raw: ForecastResult): void {
    const { step, levels, sampleSeconds } = this.options;
    if (!Number.isFinite(origin) || origin < this.lastRecorded + sampleSeconds - step / 2) return;
    this.lastRecorded = origin;
    if (!(this.unit > 0)) {
      const size = raw.point.reduce((m, p) => (Number.isFinite(p) ? Math.max(m, Math.abs(p)) : m), 0);
      this.unit = size > 0 ? 10 ** Math.floor(Math.log10(size)) : 1;
    }
    const bands = levels.map((level) => raw.intervals.find((iv) => Math.abs(iv.level - level) < 1e-9));
    const { f64, f32 } = this;
    for (const tr of this.tracks) {
      const i = tr.steps - 1;
      if (i >= raw.point.length || !Number.isFinite(raw.point[i])) continue;
      const size = tr.size;
      if (tr.pendingCount === size) {
        tr.pendingHead = (tr.pendingHead + 1) % size;
        tr.pendingCount--;
      }
      const slot = (tr.pendingHead + tr.pendingCount) % size;
      tr.pendingCount++;
      f64[tr.target + slot] = origin + tr.steps * step;
      f64[tr.point + slot] = raw.point[i];
      const multipliers = this.multipliers(tr);
      bands.forEach((band, k) => {
        const at = slot * levels.length + k;
        f32[tr.up + at] = band ? band.upper[i] - raw.point[i] : NaN;
        f32[tr.down + at] = band ? raw.point[i] - band.lower[i] : NaN;
        f32[tr.served + at] = f32[tr.ready + k] ? f64[multipliers + k] : NaN;
      });
    }
  }

  /** An actual observation at unix time `t` (NaN: a gap, which scores nothing). */
  observe(t: number, value: number): void {
    const { step, levels, gamma } = this.options;
    const k = levels.length;
    this.resolution.observe(value);
    const { f64, f32 } = this;
    for (const tr of this.tracks) {
      const size = tr.size;
      while (tr.pendingCount > 0) {
        const slot = tr.pendingHead;
        const target = f64[tr.target + slot];
        if (target > t + step / 2) break;
        tr.pendingHead = (tr.pendingHead + 1) % size;
        tr.pendingCount--;
        // targets that passed without an actual (gaps) are dropped unscored
        if (target < t - step / 2 || !Number.isFinite(value)) continue;
        const e = value - f64[tr.point + slot];
        const at = tr.scores + tr.scoreHead * k;
        const excess = this.options.score === 'excess';
        for (let q = 0; q < k; q++) {
          const distance = e >= 0 ? f32[tr.up + slot * k + q] : f32[tr.down + slot * k + q];
          // a zero-width band cannot be scaled: its ratio says nothing
          const score = excess ? (Math.abs(e) - distance) / this.unit : distance > 0 ? e / distance : e === 0 ? 0 : NaN;
          f32[at + q] = score;
          const served = f32[tr.served + slot * k + q];
          if (score === score && served === served) {
            const miss = (excess ? score : Math.abs(score)) > served ? 1 : 0;
            const o = f64[tr.offset + q] + gamma * (miss - (1 - levels[q]));
            f64[tr.offset + q] = Math.min(0.5, Math.max(-0.5, o));
          }
        }
        tr.scoreHead = (tr.scoreHead + 1) % this.options.capacity;
        tr.scoreCount = Math.min(this.options.capacity, tr.scoreCount + 1);
        tr.dirty = true;
      }
    }
  }

  /** The forecast with every band's half-widths scaled by the calibrated multipliers. */
  adjust(raw: ForecastResult): ForecastResult {
    const horizon = raw.point.length;
    const perTrack = this.tracks.map((tr) => this.multipliers(tr));
    const ordered = raw.intervals.map((iv, index) => ({ iv, index })).sort((a, b) => a.iv.level - b.iv.level);
    const intervals: Interval[] = new Array(raw.intervals.length);
    const floor = this.resolution.floor;
    const excess = this.options.score === 'excess';
    const unit = this.unit > 0 ? this.unit : 1;
    let previous: Interval | undefined;
    for (const { iv, index } of ordered) {
      const byTrack = perTrack.map((m) => this.atLevel(m, iv.level));
      const lower = new Array<number>(horizon);
      const upper = new Array<number>(horizon);
      for (let h = 1; h <= horizon; h++) {
        const m = this.atStep(byTrack, h);
        const p = raw.point[h - 1];
        const below = p - iv.lower[h - 1];
        const above = iv.upper[h - 1] - p;
        lower[h - 1] = p - Math.max(floor, excess ? below + m * unit : m * below);
        upper[h - 1] = p + Math.max(floor, excess ? above + m * unit : m * above);
        // a higher level's band must contain every lower level's
        if (previous) {
          lower[h - 1] = Math.min(lower[h - 1], previous.lower[h - 1]);
          upper[h - 1] = Math.max(upper[h - 1], previous.upper[h - 1]);
        }
      }
      intervals[index] = previous = { level: iv.level, lower, upper };
    }
    return { point: raw.point, intervals };
  }

  /**
   * Current adjustment per calibrated horizon (rows) and level (columns): the distance added to
   * each half-width, in the series' units (0 = the model's own band); with `score: 'ratio'` the
   * multiplier of each half-width (1 = the model's own band).
   */
  multiplierTable(): number[][] {
    const unit = this.options.score === 'excess' && this.unit > 0 ? this.unit : 1;
    const k = this.options.levels.length;
    return this.tracks.map((tr) => {
      const at = this.multipliers(tr);
      return Array.from(this.f64.subarray(at, at + k), (m) => m * unit);
    });
  }

  /** Scores held per calibrated horizon. */
  scoreCounts(): number[] {
    return this.tracks.map((tr) => tr.scoreCount);
  }

  /** the index in `f64` of the track's current multipliers, brought up to date */
  private multipliers(tr: Track): number {
    if (!tr.dirty) return tr.multiplier;
    const { levels, capacity } = this.options;
    const { f64, f32 } = this;
    const k = levels.length;
    const column = new Float32Array(tr.scoreCount);
    const oldest = tr.scoreHead - tr.scoreCount + capacity;
    for (let q = 0; q < k; q++) {
      let n = 0;
      for (let s = 0; s < tr.scoreCount; s++) {
        const v = f32[tr.scores + ((oldest + s) % capacity) * k + q];
        if (v === v) column[n++] = v;
      }
      f32[tr.ready + q] = n >= minimumScores(levels[q]) ? 1 : 0;
      if (!f32[tr.ready + q]) {
        f64[tr.multiplier + q] = this.neutral;
        continue;
      }
      const independent = effectiveSampleSize(column.subarray(0, n)) * this.options.effectiveScale;
      // ratios are signed by the side of the miss; excesses are already one-sided
      if (this.options.score !== 'excess') for (let i = 0; i < n; i++) column[i] = Math.abs(column[i]);
      const sorted = column.subarray(0, n).sort();
      const level = Math.min(1, Math.max(0, levels[q] + f64[tr.offset + q]));
      const corrected = Math.min(1, (level * (independent + 1)) / independent);
      f64[tr.multiplier + q] = sorted[Math.min(n, Math.max(1, Math.ceil(n * corrected))) - 1];
    }
    tr.dirty = false;
    return tr.multiplier;
  }

  /** Linear in the level between calibrated levels, the nearest outside them (`at`: multipliers' index in `f64`). */
  private atLevel(at: number, level: number): number {
    const levels = this.options.levels;
    const m = this.f64;
    if (level <= levels[0]) return m[at];
    const last = levels.length - 1;
    if (level >= levels[last]) return m[at + last];
    let q = 0;
    while (levels[q + 1] < level) q++;
    const f = (level - levels[q]) / (levels[q + 1] - levels[q]);
    return m[at + q] + f * (m[at + q + 1] - m[at + q]);
  }

  /** Linear in the step between calibrated horizons, the nearest outside them. */
  private atStep(byTrack: number[], h: number): number {
    const tracks = this.tracks;
    if (h <= tracks[0].steps) return byTrack[0];
    const last = tracks.length - 1;
    if (h >= tracks[last].steps) return byTrack[last];
    let j = 0;
    while (tracks[j + 1].steps < h) j++;
    const f = (h - tracks[j].steps) / (tracks[j + 1].steps - tracks[j].steps);
    return byTrack[j] + f * (byTrack[j + 1] - byTrack[j]);
  }

  toJSON(): AdaptiveCalibrationState {
    const { capacity, levels } = this.options;
    const k = levels.length;
    return {
      version: VERSION,
      options: { ...this.options, horizons: [...this.options.horizons], levels: [...levels] },
      lastRecorded: Number.isFinite(this.lastRecorded) ? this.lastRecorded : -1,
      resolution: this.resolution.toJSON(),
      unit: this.unit > 0 ? this.unit : undefined,
      tracks: this.tracks.map((tr) => {
        const { f64, f32 } = this;
        const size = tr.size;
        const order = Array.from({ length: tr.pendingCount }, (_, i) => (tr.pendingHead + i) % size);
        const perLevel = (at: number) =>
          order.flatMap((slot) => Array.from(f32.subarray(at + slot * k, at + slot * k + k)));
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
      }),
    };
  }

  static restore(state: AdaptiveCalibrationState): AdaptiveCalibration {
    if (state?.version !== VERSION || !state.options || !Array.isArray(state.tracks)) {
      throw new ModelError(NAME, `cannot restore state version ${state?.version}`);
    }
    // states written before the score option held ratio scores under other defaults: start afresh
    if (state.options.score === undefined) throw new ModelError(NAME, 'state holds scores of the earlier ratio kind');
    const calibration = new AdaptiveCalibration(state.options);
    const { levels, capacity } = calibration.options;
    const k = levels.length;
    if (state.tracks.length !== calibration.tracks.length) throw new ModelError(NAME, 'state has the wrong horizons');
    calibration.lastRecorded = state.lastRecorded >= 0 ? state.lastRecorded : -Infinity;
    calibration.resolution = new Resolution(state.resolution);
    if (state.unit && state.unit > 0) calibration.unit = state.unit;
    state.tracks.forEach((saved, j) => {
      const tr = calibration.tracks[j];
      const p = saved.pending;
      const count = p.target.length;
      const { f64, f32 } = calibration;
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
    });
    return calibration;
  }
}
