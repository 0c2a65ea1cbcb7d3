/**
 * Seasonal ARIMA for long seasons, in-house (the npm `arima` package crashes at season 288).
 *
 * A state-space SARIMA with s = 288 is far too slow (one likelihood evaluation takes seconds),
 * so the daily season is a regression on a few Fourier pairs, and the remainder is an
 * ARIMA(p, d, q) with an optional short-season (hourly) AR term, estimated by Hannan-Rissanen.
 * Orders p, q <= 2, d in {0, 1} and the hourly term are chosen by AIC over a common range.
 * Intervals come from the psi-weights of the integrated model.
 */
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { detectSeason, fillGaps } from './seasonality.js';
import { bandsFromSd } from './normal-bands.js';
import { armaDesign, fitArmaOrder, longArResiduals, armaErrors, type ArmaFit } from './sarima/hannan-rissanen.js';
import { leastSquares } from './sarima/least-squares.js';

export interface SarimaState {
  /** daily season in steps for the Fourier terms; 1 = none */
  period: number;
  /** Fourier coefficients [sin1, cos1, sin2, cos2, ...] */
  fourier: number[];
  /** season phase (index mod period) of the next observation */
  phase: number;
  d: number;
  ar: number[];
  ma: number[];
  constant: number;
  /** last ar.length values of the (differenced) deseasonalised series, oldest first */
  wTail: number[];
  /** last ma.length one-step errors, oldest first */
  eTail: number[];
  /** last deseasonalised value (the integration anchor when d = 1) */
  xLast: number;
  sigma2: number;
  order: string;
}

const VERSION = 1;
const FOURIER_PAIRS = 4;
/** points (3 days at 5 minutes) the ARMA part is estimated on */
const ARMA_WINDOW = 864;
const LONG_AR = 20;

/**
 * The seasonal part at every phase of the last coefficients asked for. Validation forecasts one
 * fitted model a day ahead every few steps, and the sines were most of its forecasts' cost; one
 * table for the whole process (not one per model, which would cost each series period x 8 bytes).
 */
let lastCoef: number[] | undefined;
let lastTable = new Float64Array(0);

function seasonalTable(coef: number[], period: number): Float64Array {
  if (coef !== lastCoef || lastTable.length !== period) {
    const table = new Float64Array(period);
    for (let phase = 0; phase < period; phase++) table[phase] = seasonalPart(coef, period, phase);
    lastCoef = coef;
    lastTable = table;
  }
  return lastTable;
}

function seasonalPart(coef: number[], period: number, phase: number): number {
  let s = 0;
  for (let k = 0; k < coef.length / 2; k++) {
    const angle = (2 * Math.PI * (k + 1) * phase) / period;
    s += coef[2 * k] * Math.sin(angle) + coef[2 * k + 1] * Math.cos(angle);
  }
  return s;
}

function fitFourier(y: Float64Array, period: number, pairs: number): number[] {
  const n = y.length;
  const columns: Float64Array[] = [new Float64Array(n).fill(1)];
  for (let k = 1; k <= pairs; k++) {
    const sin = new Float64Array(n);
    const cos = new Float64Array(n);
    // one period of sines and cosines, then copies: the angle depends on t only through t % period
    for (let t = 0; t < Math.min(n, period); t++) {
      const angle = (2 * Math.PI * k * t) / period;
      sin[t] = Math.sin(angle);
      cos[t] = Math.cos(angle);
    }
    for (let t = period; t < n; t++) {
      sin[t] = sin[t - period];
      cos[t] = cos[t - period];
    }
    columns.push(sin, cos);
  }
  const coef = leastSquares(columns, y);
  return coef ? Array.from(coef.subarray(1)) : new Array<number>(2 * pairs).fill(0);
}

export function fitSarima(values: ArrayLike<number>, step: number, seasonLengths?: number[]): SarimaState {
  const y = fillGaps(values);
  const n = y.length;
  if (n === 0) throw new ModelError('sarima', 'series has no finite values');
  let period = seasonLengths?.[0] ?? detectSeason(y, step).period;
  if (!(period >= 2 && n >= 2 * period)) period = 1;
  const pairs = period > 1 ? Math.min(FOURIER_PAIRS, Math.floor((period - 1) / 2)) : 0;
  const fourier = pairs > 0 ? fitFourier(y, period, pairs) : [];
  const windowStart = Math.max(0, n - ARMA_WINDOW);
  const x = new Float64Array(n - windowStart);
  const season = seasonalTable(fourier, period);
  for (let t = windowStart; t < n; t++) x[t - windowStart] = y[t] - season[t % period];
  const phase = period > 1 ? n % period : 0;
  const hourLag = Math.round(3600 / step);
  const base: Omit<SarimaState, 'd' | 'ar' | 'ma' | 'constant' | 'wTail' | 'eTail' | 'sigma2' | 'order'> = {
    period,
    fourier,
    phase,
    xLast: x[x.length - 1],
  };

  let best: { aic: number; d: number; fit: ArmaFit; w: Float64Array; order: string } | undefined;
  for (const d of [0, 1]) {
    const w = d === 0 ? x : x.map((v, i) => (i === 0 ? 0 : v - x[i - 1])).subarray(1);
    const longOrder = Math.min(LONG_AR, Math.floor(w.length / 8));
    const seasonalLags = hourLag >= 2 && w.length > 6 * hourLag + longOrder ? [0, hourLag] : [0];
    const from = longOrder + 2 + Math.max(2, ...seasonalLags);
    // score everyone on the same trailing points of x
    const scoreCount = x.length - 1 - (longOrder + 2 + Math.max(2, hourLag));
    if (scoreCount < 8) continue;
    const innovations = longArResiduals(w, longOrder);
    // every order of this d is a subset of one regression: its sums are taken once
    const design = armaDesign(w, innovations, from, {
      constant: d === 0,
      lags: [1, 2, ...seasonalLags.filter((lag) => lag > 0)],
      maxQ: 2,
    });
    for (const seasonalLag of seasonalLags) {
      for (let p = 0; p <= 2; p++) {
        for (let q = 0; q <= 2; q++) {
          const order = { p, q, seasonalLag, constant: d === 0 };
          const fit = fitArmaOrder(design, order, scoreCount);
          if (!fit) continue;
          const k = p + q + (seasonalLag ? 1 : 0) + (d === 0 ? 1 : 0) + 1;
          const aic = fit.count * Math.log(Math.max(fit.sse / fit.count, 1e-300)) + 2 * k;
          const name = `ARIMA(${p},${d},${q})${seasonalLag ? `+AR${seasonalLag}` : ''}`;
          if (!best || aic < best.aic) best = { aic, d, fit, w, order: name };
        }
      }
    }
  }
  if (!best) {
    // too short for any ARMA: a random walk
    let s = 0;
    for (let i = 1; i < x.length; i++) s += (x[i] - x[i - 1]) ** 2;
    const sigma2 = x.length > 1 ? s / (x.length - 1) : 0;
    return { ...base, d: 1, ar: [], ma: [], constant: 0, wTail: [], eTail: [], sigma2, order: 'ARIMA(0,1,0)' };
  }
  const { fit, w, d } = best;
  const e = armaErrors(w, fit, Math.max(fit.ar.length, fit.ma.length));
  return {
    ...base,
    d,
    ar: fit.ar,
    ma: fit.ma,
    constant: fit.constant,
    wTail: Array.from(w.subarray(w.length - fit.ar.length)),
    eTail: Array.from(e.subarray(e.length - fit.ma.length)),
    sigma2: fit.sse / Math.max(fit.count - fit.ar.length - fit.ma.length - 1, 1),
    order: best.order,
  };
}

/** Next one-step prediction of w from the tails. */
function predictW(s: SarimaState, wTail: number[], eTail: number[]): number {
  let pred = s.constant;
  // zero terms skipped (most lags below the hourly one): the same sum on finite tails
  for (let i = 0; i < s.ar.length; i++) if (s.ar[i] !== 0) pred += s.ar[i] * wTail[wTail.length - 1 - i];
  for (let j = 0; j < s.ma.length; j++) pred += s.ma[j] * eTail[eTail.length - 1 - j];
  return pred;
}

export function sarimaForecast(s: SarimaState, horizon: number): { point: number[]; sd: number[] } {
  const wTail = [...s.wTail];
  const eTail = [...s.eTail];
  let x = s.xLast;
  const season = s.period > 1 ? seasonalTable(s.fourier, s.period) : undefined;
  const point: number[] = [];
  const psiW: number[] = [];
  const sd: number[] = [];
  let psiX = 0;
  let acc = 0;
  for (let h = 1; h <= horizon; h++) {
    const w = predictW(s, wTail, eTail);
    wTail.push(w);
    eTail.push(0);
    wTail.shift();
    eTail.shift();
    x = s.d === 1 ? x + w : w;
    point.push(x + (season ? season[(s.phase + h - 1) % s.period] : 0));
    // psi-weights: psi_0 = 1, psi_j = ma_j + sum_i ar_i psi_{j-i}; integrate once when d = 1
    const j = h - 1;
    let psi = j === 0 ? 1 : j <= s.ma.length ? s.ma[j - 1] : 0;
    for (let i = 1; i <= Math.min(j, s.ar.length); i++) psi += s.ar[i - 1] * psiW[j - i];
    psiW.push(psi);
    psiX = s.d === 1 ? psiX + psi : psi;
    acc += psiX * psiX;
    sd.push(Math.sqrt(s.sigma2 * acc));
  }
  return { point, sd };
}

class FittedSarima implements FittedModel {
  readonly name = 'sarima';
  constructor(private readonly s: SarimaState) {}

  get description(): string {
    return `${this.s.order}${this.s.period > 1 ? ` + ${this.s.fourier.length / 2} Fourier pairs m=${this.s.period}` : ''}`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const { point, sd } = sarimaForecast(this.s, horizon);
    return bandsFromSd(point, sd, levels);
  }

  update(values: ArrayLike<number>): void {
    const s = this.s;
    const season = s.period > 1 ? seasonalTable(s.fourier, s.period) : undefined;
    for (let i = 0; i < values.length; i++) {
      const pred = predictW(s, s.wTail, s.eTail);
      const seasonal = season ? season[s.phase] : 0;
      const v = values[i];
      // a gap takes the one-step forecast, so the error is zero
      const w = Number.isFinite(v) ? (s.d === 1 ? v - seasonal - s.xLast : v - seasonal) : pred;
      s.wTail.push(w);
      s.eTail.push(w - pred);
      if (s.wTail.length > s.ar.length) s.wTail.shift();
      if (s.eTail.length > s.ma.length) s.eTail.shift();
      s.xLast = s.d === 1 ? s.xLast + w : w;
      s.phase = s.period > 1 ? (s.phase + 1) % s.period : 0;
    }
  }

  toJSON(): SerializedModel {
    const s = this.s;
    return { model: this.name, version: VERSION, state: { ...s, wTail: [...s.wTail], eTail: [...s.eTail] } };
  }
}

export const sarima: ModelFactory = {
  name: 'sarima',
  summary: 'ARIMA(p,d,q) + hourly AR term by AIC, daily season as Fourier terms (Hannan-Rissanen)',

  async fit(series: SeriesInput, options = {}) {
    return new FittedSarima(fitSarima(series.values, series.step, options.seasonLengths));
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== 'sarima' || serialized.version !== VERSION) {
      throw new ModelError('sarima', `cannot restore state of ${serialized.model} v${serialized.version}`);
    }
    const s = serialized.state as SarimaState;
    return new FittedSarima({ ...s, wTail: [...s.wTail], eTail: [...s.eTail] });
  },
};
