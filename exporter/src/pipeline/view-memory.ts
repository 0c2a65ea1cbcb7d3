/**
 * What the built-in view draws besides the history: the forecasts served at each origin (for the
 * band of past forecasts) and the anomalous points. Bounded Float32 rings: this is for display
 * only, and it is the largest per-series structure after the history, so precision is traded for
 * memory here and nowhere else.
 */
import { carve } from '../util/carve.js';

/** forecasts remembered per horizon: half a day at a 5-minute step */
export const VIEW_POINTS = 144;

export interface PastForecasts {
  horizon: number;
  /** [target time, point, {level: [lower, upper]}] oldest first */
  points: Array<[number, number, Record<string, [number, number]>]>;
}

export class ViewMemory {
  private readonly origins: Float64Array;
  /** per origin slot: per horizon: point, then lower/upper per level */
  private readonly values: Float32Array;
  private readonly width: number;
  private next = 0;
  private readonly anomalyT: Float64Array;
  private readonly anomalyScore: Float32Array;
  private readonly anomalySeverity: Uint8Array;
  private nextAnomaly = 0;

  constructor(
    /** seconds */
    private readonly horizons: number[],
    private readonly levels: number[],
    private readonly step: number,
  ) {
    this.width = horizons.length * (1 + 2 * levels.length);
    // one buffer for all (util/carve.ts)
    const parts = carve((c) => ({
      origins: c.f64(VIEW_POINTS).fill(NaN),
      anomalyT: c.f64(VIEW_POINTS).fill(NaN),
      values: c.f32(VIEW_POINTS * this.width),
      anomalyScore: c.f32(VIEW_POINTS),
      anomalySeverity: c.u8(VIEW_POINTS),
    }));
    this.origins = parts.origins;
    this.anomalyT = parts.anomalyT;
    this.values = parts.values;
    this.anomalyScore = parts.anomalyScore;
    this.anomalySeverity = parts.anomalySeverity;
  }

  /** remember the forecast made at `origin` (paths are steps 1..H ahead) */
  recordForecast(origin: number, point: ArrayLike<number>, lower: ArrayLike<number>[], upper: ArrayLike<number>[]) {
    const last = (this.next + VIEW_POINTS - 1) % VIEW_POINTS;
    // a re-forecast from the same origin replaces the earlier one
    const slot = this.origins[last] === origin ? last : this.next;
    if (slot === this.next) this.next = (this.next + 1) % VIEW_POINTS;
    this.origins[slot] = origin;
    let at = slot * this.width;
    for (const h of this.horizons) {
      const i = Math.max(1, Math.round(h / this.step)) - 1;
      this.values[at++] = point[i] ?? NaN;
      for (let k = 0; k < this.levels.length; k++) {
        this.values[at++] = lower[k]?.[i] ?? NaN;
        this.values[at++] = upper[k]?.[i] ?? NaN;
      }
    }
  }

  recordAnomaly(t: number, score: number, severity: number): void {
    this.anomalyT[this.nextAnomaly] = t;
    this.anomalyScore[this.nextAnomaly] = score;
    this.anomalySeverity[this.nextAnomaly] = severity;
    this.nextAnomaly = (this.nextAnomaly + 1) % VIEW_POINTS;
  }

  pastForecasts(): PastForecasts[] {
    const out: PastForecasts[] = this.horizons.map((horizon) => ({ horizon, points: [] }));
    for (let n = 0; n < VIEW_POINTS; n++) {
      const slot = (this.next + n) % VIEW_POINTS;
      const origin = this.origins[slot];
      if (!Number.isFinite(origin)) continue;
      let at = slot * this.width;
      this.horizons.forEach((h, hi) => {
        const yhat = this.values[at++];
        const bands: Record<string, [number, number]> = {};
        for (const level of this.levels) bands[String(level)] = [this.values[at++], this.values[at++]];
        out[hi].points.push([origin + h, yhat, bands]);
      });
    }
    return out;
  }

  /** [t, score, severity] oldest first */
  anomalies(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let n = 0; n < VIEW_POINTS; n++) {
      const i = (this.nextAnomaly + n) % VIEW_POINTS;
      if (Number.isFinite(this.anomalyT[i]))
        out.push([this.anomalyT[i], this.anomalyScore[i], this.anomalySeverity[i]]);
    }
    return out;
  }
}
