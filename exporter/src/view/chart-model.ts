/**
 * Everything one chart draws, computed once from the series' data and the viewer's choices, so the
 * Grafana panel (SVG) and the landing page (uPlot) draw the same picture from the same numbers.
 */
import { anomalyMarkers } from './anomalies.js';
import { buildBands, historyHorizons, historyLevels } from './bands.js';
import { buildFan, fanFromForecast, type SteppedForecast } from './fan.js';
import { pickHorizon, pickLevel } from './levels.js';
import type { AnomalyMarker, ForecastHistory, LatestForecast, Ribbon, TimeSeries } from './types.js';

export interface ChartInput {
  actual: TimeSeries;
  history: ForecastHistory[];
  /** the newest forecast per horizon (from metrics), or at every step (from the JSON API) */
  latest: LatestForecast[] | SteppedForecast | undefined;
  anomalies: { severity?: TimeSeries; score?: TimeSeries; flag?: TimeSeries } | AnomalyMarker[];
  /** when the forecasts were issued; defaults to the last actual sample */
  lastSampleTime?: number;
}

export interface ChartChoices {
  level?: string;
  /** horizon of the history band in seconds; undefined picks the shortest */
  horizon?: number;
}

export interface ChartModel {
  actual: TimeSeries;
  band: Ribbon;
  fan: Ribbon;
  markers: AnomalyMarker[];
  /** what was drawn, after falling back to what the data has */
  level: string | undefined;
  horizon: number | undefined;
  horizons: number[];
  levels: string[];
  lastSample: { t: number; v: number };
  x: [number, number];
  y: [number, number];
}

export function buildChartModel(input: ChartInput, choices: ChartChoices = {}): ChartModel {
  const { actual, history, latest } = input;
  const horizons = historyHorizons(history);
  const levels = levelsOf(history, latest);
  const level = pickLevel(levels, choices.level);
  const horizon = pickHorizon(horizons, choices.horizon);
  const lastSample = lastFinite(actual, input.lastSampleTime);
  const band = horizon !== undefined && level !== undefined ? buildBands(history, horizon, level) : emptyRibbon();
  const fan = !latest
    ? emptyRibbon()
    : Array.isArray(latest)
      ? buildFan(latest, lastSample, level ?? '')
      : fanFromForecast(latest, lastSample, level ?? '');
  const markers = Array.isArray(input.anomalies) ? input.anomalies : anomalyMarkers(actual, input.anomalies);
  return {
    actual,
    band,
    fan,
    markers,
    level,
    horizon,
    horizons,
    levels,
    lastSample,
    x: extent([actual.t, band.t, fan.t, markers.map((m) => m.t)]),
    y: extent([actual.v, band.lower, band.upper, band.point, fan.lower, fan.upper, fan.point]),
  };
}

function levelsOf(history: ForecastHistory[], latest: ChartInput['latest']): string[] {
  const levels = new Set(historyLevels(history));
  if (Array.isArray(latest)) for (const f of latest) for (const l of Object.keys(f.bands)) levels.add(l);
  else if (latest) for (const i of latest.intervals) levels.add(String(i.level));
  return [...levels].sort((a, b) => Number(a) - Number(b));
}

/** The last sample with a value; its time is overridden when the exporter reported when it was. */
function lastFinite(series: TimeSeries, reportedTime?: number): { t: number; v: number } {
  for (let i = series.t.length - 1; i >= 0; i--) {
    if (Number.isFinite(series.v[i])) {
      return { t: reportedTime ?? series.t[i], v: series.v[i] };
    }
  }
  return { t: reportedTime ?? NaN, v: NaN };
}

/** Min and max over finite values; [0, 1] when there are none, widened when flat. */
export function extent(columns: number[][]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const column of columns) {
    for (const value of column) {
      if (!Number.isFinite(value)) continue;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (min > max) return [0, 1];
  if (min === max) return [min - (Math.abs(min) || 1) * 0.05, max + (Math.abs(max) || 1) * 0.05];
  return [min, max];
}

function emptyRibbon(): Ribbon {
  return { t: [], point: [], lower: [], upper: [] };
}
