/** The exporter's JSON API (`/api/v1/series/:id`) in the view's shapes. */
import { medianStep, valueNear } from './series.js';
import type { SteppedForecast } from './fan.js';
import type { AnomalyMarker, ForecastHistory, TimeSeries } from './types.js';
import type { ChartInput } from './chart-model.js';

type Num = number | null;

export interface SeriesSummary {
  id: string;
  series: string;
  labels: Record<string, string>;
  model: string | null;
  /** the model the config asks for (`auto`) */
  modelRequested?: string | null;
  modelDescription: string | null;
  simulated: boolean;
  step: number;
  horizons: number[];
  levels: number[];
  lastSample?: Num;
  anomaly: { score: Num; isAnomaly: boolean; severity: number } | null;
  accuracy: Array<{ horizon: number; mase: Num; coverage: Record<string, Num>; evaluated?: number }>;
}

export interface SeriesDetail extends SeriesSummary {
  actual: Array<[number, Num]>;
  forecast: {
    start: number;
    step: number;
    point: Num[];
    intervals: Array<{ level: number; lower: Num[]; upper: Num[] }>;
  } | null;
  pastForecasts: Array<{ horizon: number; points: Array<[number, Num, Record<string, [Num, Num]>]> }>;
  anomalies: Array<[number, Num, number]>;
}

const n = (value: Num | undefined): number => (typeof value === 'number' ? value : NaN);

/** Chart input from a detail response. Past forecasts come keyed by target time; the view wants issue time. */
export function chartInputFromApi(detail: SeriesDetail): ChartInput {
  const actual: TimeSeries = { t: detail.actual.map(([t]) => t), v: detail.actual.map(([, v]) => n(v)) };
  const history: ForecastHistory[] = detail.pastForecasts.map(({ horizon, points }) => {
    const issuedAt = points.map(([target]) => target - horizon);
    const levels = new Set(points.flatMap(([, , bands]) => Object.keys(bands)));
    const bands: ForecastHistory['bands'] = {};
    for (const level of levels) {
      bands[level] = {
        lower: { t: issuedAt, v: points.map(([, , b]) => n(b[level]?.[0])) },
        upper: { t: issuedAt, v: points.map(([, , b]) => n(b[level]?.[1])) },
      };
    }
    return { horizon, point: { t: issuedAt, v: points.map(([, yhat]) => n(yhat)) }, bands };
  });
  const tolerance = 2 * medianStep(actual.t);
  const anomalies: AnomalyMarker[] = detail.anomalies.map(([t, score, severity]) => ({
    t,
    v: valueNear(actual, t, tolerance),
    score: n(score),
    severity,
  }));
  const latest: SteppedForecast | undefined = detail.forecast
    ? {
        start: detail.forecast.start,
        step: detail.forecast.step,
        point: detail.forecast.point.map(n),
        intervals: detail.forecast.intervals.map((i) => ({
          level: i.level,
          lower: i.lower.map(n),
          upper: i.upper.map(n),
        })),
      }
    : undefined;
  const lastSampleTime = typeof detail.lastSample === 'number' ? detail.lastSample : undefined;
  return { actual, history, latest, anomalies, lastSampleTime };
}
