/**
 * Exponential smoothing (Holt-Winters) with additive errors: ETS(A, N|A|Ad, N|A).
 *
 * Written in-house over Float64Array loops because it runs on every series at every refit and
 * must fit a week of 5-minute data in a few milliseconds (statsmodels takes ~1 s, augurs ~0.1 s).
 * Speed comes from: the season decided once by autocorrelation (not by fitting both), seasonal
 * and level states initialised from the means of a few whole seasons (not optimised), and
 * smoothing parameters optimised by a short Nelder-Mead run on the most recent few seasons only,
 * the three trend variants (none / additive / damped) side by side in one pass over the data per
 * round (ets-recursion.ts), each taking the steps it would alone. The variant is chosen by AICc. Gaps (NaN) skip the correction
 * step: the one-step forecast stands in for the missing observation.
 */
import { bandsFromSd } from './normal-bands.js';
import type { FittedModel, ForecastResult, ModelFactory, SeriesInput, SerializedModel } from './types.js';
import { ModelError } from './types.js';
import { detectSeason, fillGaps } from './seasonality.js';
import { nelderMeadLockstep } from './optimize.js';
import { decode, decodeInto, smooth, smoothThree, type TrendKind } from './ets-recursion.js';

export type { TrendKind };

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

const logit = (p: number): number => Math.log(p / (1 - p));

interface Start {
  level: number;
  slope: number;
  season: Float64Array;
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

/** One trend variant to optimise: its initial states, starting parameters and a season buffer. */
interface Variant {
  trend: TrendKind;
  start: Start;
  u0: number[];
  work: Float64Array;
}

function variant(filled: Float64Array, from: number, period: number, trend: TrendKind): Variant {
  const start = initialStates(filled, from, period, trend);
  const u0 = [logit(0.5)];
  if (trend !== 'N') u0.push(logit(0.1));
  if (period > 1) u0.push(logit(0.05));
  if (trend === 'Ad') u0.push(0);
  return { trend, start, u0, work: new Float64Array(start.season.length) };
}

/**
 * Smoothing parameters for every variant by Nelder-Mead on the mean squared one-step error over
 * y[from..), the variants in lockstep: each round values every running variant's next point in
 * one pass (smoothThree), or alone with `smooth` when it is the last one running.
 */
function optimiseVariants(y: Float64Array, from: number, variants: Variant[], count: number): Float64Array[] {
  const seasonal = variants[0].start.season.length > 0;
  const par = new Float64Array(12);
  const init = new Float64Array(6);
  const sse = new Float64Array(3);
  const spare = [0, 1, 2].map(() => new Float64Array(variants[0].work.length));
  const lanes: Float64Array[] = spare.slice();
  const st = { level: 0, slope: 0, pos: 0 };
  const options = variants.map((v) => ({ maxEvaluations: MAX_EVALUATIONS * v.u0.length, step: 1, tolerance: 1e-5 }));
  const results = nelderMeadLockstep(
    variants.map((v) => v.u0),
    options,
    (points, values) => {
      let running = 0;
      let only = 0;
      for (let i = 0; i < points.length; i++) {
        if (!points[i]) continue;
        running++;
        only = i;
      }
      if (running === 1) {
        const v = variants[only];
        v.work.set(v.start.season);
        Object.assign(st, { level: v.start.level, slope: v.start.slope, pos: 0 });
        const p = decode(points[only]!, v.trend, seasonal);
        const one = smooth(y, from, y.length, p, st, v.work);
        values[only] = count > 0 ? one.sse / count : 0;
        return;
      }
      // three lanes; a lane whose variant is done (or missing) repeats a running one into a spare buffer
      for (let k = 0; k < 3; k++) {
        const i = k < variants.length && points[k] ? k : only;
        const v = variants[i];
        decodeInto(points[i]!, v.trend, seasonal, par, 4 * k);
        init[2 * k] = v.start.level;
        init[2 * k + 1] = v.start.slope;
        lanes[k] = i === k ? v.work : spare[k];
        lanes[k].set(v.start.season);
      }
      smoothThree(y, from, y.length, par, init, lanes[0], lanes[1], lanes[2], sse);
      for (let k = 0; k < variants.length; k++) if (points[k]) values[k] = count > 0 ? sse[k] / count : 0;
    },
  );
  return results.map((r) => r.x);
}

/** The fitted state of one variant at its optimised parameters, scored by AICc. */
function candidate(y: Float64Array, from: number, period: number, v: Variant, u: Float64Array): Candidate {
  const params = decode(u, v.trend, period > 1);
  v.work.set(v.start.season);
  const st = { level: v.start.level, slope: v.start.slope, pos: 0 };
  const { sse, count } = smooth(y, from, y.length, params, st, v.work);
  const k = v.u0.length + (v.trend === 'N' ? 1 : 2);
  const mse = Math.max(sse / Math.max(count, 1), 1e-300);
  const aicc = count * Math.log(mse) + 2 * k + (count - k - 1 > 0 ? (2 * k * (k + 1)) / (count - k - 1) : 1e9);
  return {
    aicc,
    state: {
      trend: v.trend,
      period,
      ...params,
      level: st.level,
      slope: st.slope,
      season: Array.from(v.work),
      pos: st.pos,
      sigma2: sse / Math.max(count - k, 1),
    },
  };
}

/** Fit ETS to `values` (NaN = gap); season detected from the data unless given. */
export function fitEts(values: ArrayLike<number>, step: number, seasonLengths?: number[]): EtsState {
  // one element type in the hot loops, whatever the caller passed
  const y = values instanceof Float64Array ? values : Float64Array.from(values);
  const filled = fillGaps(y);
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
  const variants = trends.map((trend) => variant(filled, from, period, trend));
  let count = 0;
  for (let t = from; t < n; t++) if (y[t] === y[t]) count++;
  const optimised = optimiseVariants(y, from, variants, count);
  let best: Candidate | undefined;
  for (const [i, v] of variants.entries()) {
    const c = candidate(y, from, period, v, optimised[i]);
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
