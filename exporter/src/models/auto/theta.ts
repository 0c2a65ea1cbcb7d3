/**
 * The Theta method (Assimakopoulos and Nikolopoulos 2000) in the form Hyndman and Billah (2003)
 * showed it to be: simple exponential smoothing plus half the slope of the least-squares line,
 * f(h) = l_n + b/2 ((h - 1) + (1 - (1 - alpha)^n) / alpha), on seasonally adjusted data. An
 * `auto` candidate (not a registered model). The season is the one ets detects (seasonality.ts);
 * when there is one, a classical decomposition (centred moving average one season wide, mean
 * ratio or difference by phase) adjusts the series, multiplicatively when every value is
 * positive, additively otherwise, and the forecast is reseasonalised. Alpha minimises the
 * one-step squared error (golden section on [0.01, 1]). `update` goes on smoothing with alpha,
 * the slope and the seasonal indices fixed. Bands are the model's own from the one-step errors
 * (auto replaces them with conformal bands). Pure: no I/O.
 */
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from '../types.js';
import { ModelError } from '../types.js';
import { bandsFromSd } from '../normal-bands.js';
import { detectSeason, fillGaps } from '../seasonality.js';

const NAME = 'theta';
const VERSION = 1;

interface State {
  period: number;
  /** seasonal indices by phase (empty without a season) */
  season: number[];
  multiplicative: boolean;
  /** phase of the next point */
  pos: number;
  alpha: number;
  level: number;
  /** slope of the line through the adjusted history, per step */
  slope: number;
  /** points smoothed so far */
  n: number;
  /** RMS of one-step errors on the adjusted scale */
  sigma: number;
}

class FittedTheta implements FittedModel {
  readonly name = NAME;
  constructor(private readonly s: State) {}

  get description(): string {
    const { period, multiplicative, alpha } = this.s;
    const kind = period > 1 ? (multiplicative ? `, multiplicative m=${period}` : `, additive m=${period}`) : '';
    return `theta alpha=${alpha.toFixed(3)}${kind}`;
  }

  private seasonal(x: number, phase: number): number {
    const { season, multiplicative, period } = this.s;
    if (season.length === 0) return x;
    const s = season[phase % period];
    return multiplicative ? x * s : x + s;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const { alpha, level, slope, n, sigma, pos } = this.s;
    const drift = (1 - (1 - alpha) ** n) / alpha;
    const point: number[] = [];
    const spread: number[] = [];
    for (let h = 1; h <= horizon; h++) {
      const phase = pos + h - 1;
      point.push(this.seasonal(level + (slope / 2) * (h - 1 + drift), phase));
      // SES's own variance growth, scaled back to the series at that phase
      spread.push(
        Math.abs(this.seasonal(sigma, phase) - this.seasonal(0, phase)) * Math.sqrt(1 + (h - 1) * alpha ** 2),
      );
    }
    return bandsFromSd(point, spread, levels);
  }

  update(values: ArrayLike<number>): void {
    const s = this.s;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) {
        const adjusted = s.season.length === 0 ? v : s.multiplicative ? v / s.season[s.pos] : v - s.season[s.pos];
        s.level += s.alpha * (adjusted - s.level);
        s.n++;
      }
      s.pos = s.period > 1 ? (s.pos + 1) % s.period : 0;
    }
  }

  toJSON(): SerializedModel {
    return { model: this.name, version: VERSION, state: { ...this.s, season: [...this.s.season] } };
  }
}

/** Classical decomposition: seasonal indices by phase (phase 0 = values[0]), normalised. */
function decompose(y: Float64Array, period: number, multiplicative: boolean): number[] {
  const n = y.length;
  const half = Math.floor(period / 2);
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + y[i];
  for (let i = half; i < n - half; i++) {
    // centred moving average one season wide (2 x m for an even m)
    let trend: number;
    if (period % 2 === 1) trend = (prefix[i + half + 1] - prefix[i - half]) / period;
    else trend = (prefix[i + half] - prefix[i - half + 1] + 0.5 * y[i - half] + 0.5 * y[i + half]) / period;
    const phase = i % period;
    sums[phase] += multiplicative ? y[i] / trend : y[i] - trend;
    counts[phase]++;
  }
  const idx = Array.from(sums, (s, k) => (counts[k] > 0 ? s / counts[k] : multiplicative ? 1 : 0));
  const mean = idx.reduce((a, b) => a + b, 0) / period;
  return idx.map((x) => (multiplicative ? x / mean : x - mean));
}

/** one-step SSE of SES with `alpha` from the first value */
function sse(x: Float64Array, alpha: number): number {
  let level = x[0];
  let s = 0;
  for (let i = 1; i < x.length; i++) {
    const e = x[i] - level;
    s += e * e;
    level += alpha * e;
  }
  return s;
}

export const theta: ModelFactory = {
  name: NAME,
  summary: 'Theta method: SES plus half the linear trend on seasonally adjusted data',

  async fit(series: SeriesInput, options = {}) {
    const y = fillGaps(series.values);
    const n = y.length;
    if (n === 0) throw new ModelError(NAME, 'series has no finite values');
    let period = Math.round(options.seasonLengths?.[0] ?? detectSeason(y, series.step).period);
    if (!(period >= 2 && n >= 2 * period + 2)) period = 1;
    let multiplicative = false;
    let season: number[] = [];
    const x = Float64Array.from(y);
    if (period > 1) {
      multiplicative = y.every((v) => v > 0);
      season = decompose(y, period, multiplicative);
      if (!season.every(Number.isFinite) || (multiplicative && !season.every((v) => v > 0))) {
        multiplicative = false;
        season = decompose(y, period, false);
      }
      for (let i = 0; i < n; i++) x[i] = multiplicative ? y[i] / season[i % period] : y[i] - season[i % period];
    }
    // least-squares slope against time
    const tMean = (n - 1) / 2;
    let xMean = 0;
    for (let i = 0; i < n; i++) xMean += x[i];
    xMean /= n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      num += (i - tMean) * (x[i] - xMean);
      den += (i - tMean) ** 2;
    }
    const slope = den > 0 ? num / den : 0;
    // golden section for alpha
    let lo = 0.01;
    let hi = 1;
    const g = (Math.sqrt(5) - 1) / 2;
    let a = hi - g * (hi - lo);
    let b = lo + g * (hi - lo);
    let fa = sse(x, a);
    let fb = sse(x, b);
    for (let k = 0; k < 30; k++) {
      if (fa < fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - g * (hi - lo);
        fa = sse(x, a);
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + g * (hi - lo);
        fb = sse(x, b);
      }
    }
    const alpha = (lo + hi) / 2;
    let level = x[0];
    for (let i = 1; i < n; i++) level += alpha * (x[i] - level);
    const sigma = n > 1 ? Math.sqrt(sse(x, alpha) / (n - 1)) : 0;
    if (!Number.isFinite(level) || !Number.isFinite(slope)) throw new ModelError(NAME, 'non-finite fit');
    return new FittedTheta({
      period,
      season,
      multiplicative,
      pos: period > 1 ? n % period : 0,
      alpha,
      level,
      slope,
      n,
      sigma,
    });
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== NAME || serialized.version !== VERSION) {
      throw new ModelError(NAME, `cannot restore state of ${serialized.model} v${serialized.version}`);
    }
    const s = serialized.state as State;
    return new FittedTheta({ ...s, season: [...s.season] });
  },
};
