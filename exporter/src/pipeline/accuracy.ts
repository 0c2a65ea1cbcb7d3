/**
 * Live accuracy: remember each forecast until its target time arrives, then compare it with what
 * happened. Keeps a rolling window of absolute errors and band hits per horizon, so
 * `cloudpulse_forecast_mase` and `cloudpulse_forecast_coverage` show a model going bad.
 */

interface Pending {
  yhat: number;
  /** [lower, upper] per level, in the order of `levels` */
  bands: Array<[number, number]>;
}

interface HorizonStats {
  absErrors: number[];
  /** hits[k] is 1 when the actual fell inside band k */
  hits: number[][];
}

export interface HorizonAccuracy {
  /** seconds */
  horizon: number;
  /** mean absolute error over the window divided by the one-step naive scale, NaN until evaluated */
  mase: number;
  /** share of actuals inside each level's band, keyed by level */
  coverage: Record<string, number>;
  evaluated: number;
}

export class AccuracyTracker {
  private readonly pending: Array<Map<number, Pending>>;
  private readonly stats: HorizonStats[];
  /** running mean of |y_t - y_{t-1}|: the naive scale */
  private scaleSum = 0;
  private scaleCount = 0;
  private lastValue = NaN;

  constructor(
    /** horizons in seconds */
    readonly horizons: number[],
    readonly levels: number[],
    private readonly window = 288,
  ) {
    this.pending = horizons.map(() => new Map());
    this.stats = horizons.map(() => ({ absErrors: [], hits: levels.map(() => []) }));
  }

  /** Record a forecast made at `origin` for `origin + horizon` (one per horizon). */
  record(origin: number, perHorizon: Array<{ yhat: number; bands: Array<[number, number]> }>): void {
    perHorizon.forEach((p, i) => {
      const target = origin + this.horizons[i];
      this.pending[i].set(target, { yhat: p.yhat, bands: p.bands });
      // bound memory if targets never arrive (gaps): drop the oldest beyond a day's worth
      if (this.pending[i].size > 2 * this.window) {
        const oldest = this.pending[i].keys().next().value as number;
        this.pending[i].delete(oldest);
      }
    });
  }

  /** A new actual observation. */
  observe(t: number, value: number): void {
    if (!Number.isFinite(value)) return;
    if (Number.isFinite(this.lastValue)) {
      this.scaleSum += Math.abs(value - this.lastValue);
      this.scaleCount++;
    }
    this.lastValue = value;
    for (let i = 0; i < this.horizons.length; i++) {
      const p = this.pending[i].get(t);
      if (!p) continue;
      this.pending[i].delete(t);
      const s = this.stats[i];
      s.absErrors.push(Math.abs(value - p.yhat));
      if (s.absErrors.length > this.window) s.absErrors.shift();
      p.bands.forEach(([lo, hi], k) => {
        s.hits[k].push(value >= lo && value <= hi ? 1 : 0);
        if (s.hits[k].length > this.window) s.hits[k].shift();
      });
    }
  }

  summary(): HorizonAccuracy[] {
    const scale = this.scaleCount > 0 ? this.scaleSum / this.scaleCount : NaN;
    return this.horizons.map((horizon, i) => {
      const s = this.stats[i];
      const n = s.absErrors.length;
      const mae = n > 0 ? s.absErrors.reduce((a, b) => a + b, 0) / n : NaN;
      const coverage: Record<string, number> = {};
      this.levels.forEach((level, k) => {
        const hits = s.hits[k];
        coverage[String(level)] = hits.length > 0 ? hits.reduce((a, b) => a + b, 0) / hits.length : NaN;
      });
      return { horizon, mase: n > 0 && scale > 0 ? mae / scale : NaN, coverage, evaluated: n };
    });
  }
}
