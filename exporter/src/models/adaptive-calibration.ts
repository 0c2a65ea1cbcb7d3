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
import { layoutTracks, loadTrack, saveTrack, type Track } from './adaptive-calibration-tracks.js';
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
    const { tracks, n64, n32 } = layoutTracks(horizons, k, capacity, step, sampleSeconds);
    this.tracks = tracks;
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
      tracks: this.tracks.map((tr) => saveTrack(tr, this.f64, this.f32, k, capacity)),
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
    state.tracks.forEach((saved, j) =>
      loadTrack(calibration.tracks[j], saved, calibration.f64, calibration.f32, k, capacity),
    );
    return calibration;
  }
}
