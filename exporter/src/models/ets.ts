/**
 * Exponential smoothing (Holt-Winters) with additive errors: ETS(A, N|A|Ad, N|A).
 *
 * Written in-house over Float64Array loops because it runs on every series at every refit and
 * must fit a week of 5-minute data in a few milliseconds (statsmodels takes ~1 s, augurs ~0.1 s).
 * Speed comes from: the season decided once by autocorrelation (not by fitting both), seasonal
 * and level states initialised from the means of a few whole seasons (not optimised), and
 * smoothing parameters optimised by a short Nelder-Mead run on the most recent few seasons only.
 * The trend variant (none / additive / damped) is chosen by AICc. Gaps (NaN) skip the correction
 * step: the one-step forecast stands in for the missing observation.
 */
import { bandsFromSd } from './normal-bands.js';
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { detectSeason, fillGaps } from './seasonality.js';
import { nelderMead } from './optimize.js';

export type TrendKind = 'N' | 'A' | 'Ad';

export interface EtsState {
  trend: TrendKind;
  /** season length in steps; 1 = no seasonal component */
  period: number;
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  level: number;
  slope: number;
  /** seasonal states; season[pos] is the one for the next observation */
  season: number[];
  pos: number;
  /** one-step error variance */
  sigma2: number;
}

const VERSION = 1;
/** seasons of recent history the parameters are optimised on */
const FIT_SEASONS = 3;
/** history used when there is no season */
const FIT_POINTS_NONSEASONAL = 864;
const MAX_EVALUATIONS = 80;

const logistic = (u: number): number => 1 / (1 + Math.exp(-u));
const logit = (p: number): number => Math.log(p / (1 - p));

interface Start {
  level: number;
  slope: number;
  season: Float64Array;
}

interface Params {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

function decode(u: Float64Array, trend: TrendKind, seasonal: boolean): Params {
  // alpha in (0.0001, 0.9999); beta < alpha; gamma < 1 - alpha; phi in [0.8, 0.98] (usual bounds)
  const alpha = 1e-4 + 0.9998 * logistic(u[0]);
  let k = 1;
  const beta = trend === 'N' ? 0 : alpha * logistic(u[k++]);
  const gamma = seasonal ? (1 - alpha) * logistic(u[k++]) : 0;
  const phi = trend === 'Ad' ? 0.8 + 0.18 * logistic(u[k]) : 1;
  return { alpha, beta, gamma, phi };
}

/**
 * Run the recursion over y[from..to) from the given states (mutated in place). Returns the sum
 * of squared one-step errors and how many observations contributed.
 */
function smooth(
  y: ArrayLike<number>,
  from: number,
  to: number,
  p: Params,
  st: { level: number; slope: number; pos: number },
  season: Float64Array | number[],
): { sse: number; count: number } {
  const { alpha, beta, gamma, phi } = p;
  const m = season.length;
  let { level, slope, pos } = st;
  let sse = 0;
  let count = 0;
  for (let t = from; t < to; t++) {
    const s = m > 0 ? season[pos] : 0;
    const damped = phi * slope;
    const v = y[t];
    let e = 0;
    if (v === v) {
      e = v - (level + damped + s);
      sse += e * e;
      count++;
    }
    level = level + damped + alpha * e;
    slope = damped + beta * e;
    if (m > 0) {
      season[pos] = s + gamma * e;
      pos = pos + 1 === m ? 0 : pos + 1;
    }
  }
  st.level = level;
  st.slope = slope;
  st.pos = pos;
  return { sse, count };
}

/** Initial states from whole seasons at the start of the window: level = first season's mean. */
function initialStates(filled: Float64Array, from: number, period: number, trend: TrendKind): Start {
  const n = filled.length - from;
  if (period > 1) {
    const cycles = Math.floor(n / period);
    const season = new Float64Array(period);
    const means: number[] = [];
    for (let c = 0; c < cycles; c++) {
      let sum = 0;
      for (let j = 0; j < period; j++) sum += filled[from + c * period + j];
      means.push(sum / period);
    }
    for (let c = 0; c < cycles; c++) {
      for (let j = 0; j < period; j++) season[j] += (filled[from + c * period + j] - means[c]) / cycles;
    }
    const slope = trend === 'N' || cycles < 2 ? 0 : (means[cycles - 1] - means[0]) / ((cycles - 1) * period);
    return { level: means[0] - (slope * period) / 2, slope, season };
  }
  const k = Math.min(n, 12);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += filled[from + i];
  const slope = trend === 'N' || k < 2 ? 0 : (filled[from + k - 1] - filled[from]) / (k - 1);
  return { level: sum / k, slope, season: new Float64Array(0) };
}

interface Candidate {
  state: EtsState;
  aicc: number;
}

function fitVariant(
  y: ArrayLike<number>,
  filled: Float64Array,
  from: number,
  period: number,
  trend: TrendKind,
): Candidate {
  const seasonal = period > 1;
  const start = initialStates(filled, from, period, trend);
  const work = new Float64Array(start.season.length);
  const st = { level: 0, slope: 0, pos: 0 };
  const objective = (u: Float64Array): number => {
    work.set(start.season);
    st.level = start.level;
    st.slope = start.slope;
    st.pos = 0;
    const { sse, count } = smooth(y, from, y.length, decode(u, trend, seasonal), st, work);
    return count > 0 ? sse / count : 0;
  };
  const u0 = [logit(0.5)];
  if (trend !== 'N') u0.push(logit(0.1));
  if (seasonal) u0.push(logit(0.05));
  if (trend === 'Ad') u0.push(0);
  const best = nelderMead(objective, u0, { maxEvaluations: MAX_EVALUATIONS * u0.length, step: 1, tolerance: 1e-5 });
  const params = decode(best.x, trend, seasonal);
  work.set(start.season);
  Object.assign(st, { level: start.level, slope: start.slope, pos: 0 });
  const { sse, count } = smooth(y, from, y.length, params, st, work);
  const k = u0.length + (trend === 'N' ? 1 : 2);
  const mse = Math.max(sse / Math.max(count, 1), 1e-300);
  const aicc = count * Math.log(mse) + 2 * k + (count - k - 1 > 0 ? (2 * k * (k + 1)) / (count - k - 1) : 1e9);
  return {
    aicc,
    state: {
      trend,
      period,
      ...params,
      level: st.level,
      slope: st.slope,
      season: Array.from(work),
      pos: st.pos,
      sigma2: sse / Math.max(count - k, 1),
    },
  };
}

/** Fit ETS to `values` (NaN = gap); season detected from the data unless given. */
export function fitEts(values: ArrayLike<number>, step: number, seasonLengths?: number[]): EtsState {
  const filled = fillGaps(values);
  const n = filled.length;
  if (n === 0) throw new ModelError('ets', 'series has no finite values');
  let period = seasonLengths?.[0] ?? detectSeason(filled, step).period;
  if (!(period >= 2 && n >= 2 * period + 2)) period = 1;
  const window = period > 1 ? Math.min(n, FIT_SEASONS * period) : Math.min(n, FIT_POINTS_NONSEASONAL);
  // keep the window aligned to whole seasons so the initial seasonal profile starts at phase 0
  const from = n - (period > 1 ? Math.floor(window / period) * period : window);
  if (n - from < 4) {
    const last = filled[n - 1];
    return {
      trend: 'N',
      period: 1,
      alpha: 0.5,
      beta: 0,
      gamma: 0,
      phi: 1,
      level: last,
      slope: 0,
      season: [],
      pos: 0,
      sigma2: variance(filled),
    };
  }
  const trends: TrendKind[] = n - from >= 24 ? ['N', 'A', 'Ad'] : ['N'];
  let best: Candidate | undefined;
  for (const trend of trends) {
    const c = fitVariant(values, filled, from, period, trend);
    if (!best || c.aicc < best.aicc) best = c;
  }
  return best!.state;
}

function variance(x: Float64Array): number {
  if (x.length < 2) return 0;
  let s = 0;
  for (let i = 1; i < x.length; i++) s += (x[i] - x[i - 1]) ** 2;
  return s / (x.length - 1);
}

/** Point forecasts and the model's own forecast standard deviation per step (Hyndman et al., class 1). */
export function etsForecast(s: EtsState, horizon: number): { point: number[]; sd: number[] } {
  const point: number[] = [];
  const sd: number[] = [];
  const m = s.season.length;
  let phiSum = 0;
  let phiPow = 1;
  let acc = 0;
  for (let h = 1; h <= horizon; h++) {
    phiPow *= s.phi;
    phiSum += phiPow;
    const seasonal = m > 0 ? s.season[(s.pos + h - 1) % m] : 0;
    point.push(s.level + phiSum * s.slope + seasonal);
    sd.push(Math.sqrt(s.sigma2 * (1 + acc)));
    // c_h: how a shock now moves the forecast h steps later
    const c = s.alpha + s.beta * phiSum + (m > 0 && h % m === 0 ? s.gamma : 0);
    acc += c * c;
  }
  return { point, sd };
}

class FittedEts implements FittedModel {
  readonly name = 'ets';
  constructor(private readonly s: EtsState) {}

  get description(): string {
    const trend = this.s.trend === 'N' ? 'N' : this.s.trend;
    return `ETS(A,${trend},${this.s.period > 1 ? 'A' : 'N'}) m=${this.s.period}`;
  }

  forecast(horizon: number, levels: number[]): ForecastResult {
    const { point, sd } = etsForecast(this.s, horizon);
    return bandsFromSd(point, sd, levels);
  }

  update(values: ArrayLike<number>): void {
    const st = { level: this.s.level, slope: this.s.slope, pos: this.s.pos };
    smooth(values, 0, values.length, this.s, st, this.s.season);
    Object.assign(this.s, st);
  }

  toJSON(): SerializedModel {
    return { model: this.name, version: VERSION, state: { ...this.s, season: [...this.s.season] } };
  }
}

export const ets: ModelFactory = {
  name: 'ets',
  summary: 'exponential smoothing (Holt-Winters), trend variant by AICc, season detected',

  async fit(series: SeriesInput, options = {}) {
    return new FittedEts(fitEts(series.values, series.step, options.seasonLengths));
  },

  restore(serialized: SerializedModel) {
    if (serialized.model !== 'ets' || serialized.version !== VERSION) {
      throw new ModelError('ets', `cannot restore state of ${serialized.model} v${serialized.version}`);
    }
    const s = serialized.state as EtsState;
    return new FittedEts({ ...s, season: [...s.season] });
  },
};
