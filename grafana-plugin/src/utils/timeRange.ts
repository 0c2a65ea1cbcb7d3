/**
 * The chart's time axis from the dashboard's time range: it starts where the range starts and ends
 * where the range ends, or later when what is drawn reaches further into the future (the fan to
 * the longest horizon, the history band shifted by its horizon). Points outside are dropped, but
 * the nearest one beyond each edge is kept so that lines run to the edge, where the chart clips.
 */
import {
  extent,
  type AnomalyMarker,
  type ChartModel,
  type Ribbon,
  type TimeSeries,
} from '../../../exporter/src/view/index.js';

/** Unix seconds. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** Which parts are drawn (hidden ones do not stretch the axis). */
export interface Shown {
  actual: boolean;
  band: boolean;
  fan: boolean;
  anomalies: boolean;
}

/** A Grafana TimeRange (DateTime or ms) in seconds; undefined when it is no usable range. */
export function rangeSeconds(range: { from: { valueOf(): number }; to: { valueOf(): number } } | undefined) {
  if (!range) return undefined;
  const from = Number(range.from.valueOf()) / 1000;
  const to = Number(range.to.valueOf()) / 1000;
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : undefined;
}

/**
 * The model on the dashboard's time axis, its value axis scaled on the shown parts inside it.
 * Without a usable range the data's own extent stays the time axis.
 */
export function fitToRange(model: ChartModel, range: TimeWindow | undefined, shown: Shown): ChartModel {
  const x = range ? timeAxis(model, range, shown) : model.x;
  const actual = range ? cutSeries(model.actual, x) : model.actual;
  const band = range ? cutRibbon(model.band, x) : model.band;
  const fan = range ? cutRibbon(model.fan, x) : model.fan;
  const markers: AnomalyMarker[] = model.markers.filter((m) => m.t >= x[0] && m.t <= x[1]);
  const inside = (t: number[], v: number[]) => v.filter((_, i) => t[i] >= x[0] && t[i] <= x[1]);
  const ribbon = (r: Ribbon) => [inside(r.t, r.lower), inside(r.t, r.upper), inside(r.t, r.point)];
  const y = extent([
    ...(shown.actual || shown.anomalies ? [inside(actual.t, actual.v)] : []),
    ...(shown.band ? ribbon(band) : []),
    ...(shown.fan ? ribbon(fan) : []),
  ]);
  return { ...model, actual, band, fan, markers, x, y };
}

function timeAxis(model: ChartModel, range: TimeWindow, shown: Shown): [number, number] {
  const ends = [range.to];
  if (shown.actual) ends.push(lastTime(model.actual.t));
  if (shown.band) ends.push(lastTime(model.band.t));
  if (shown.fan) ends.push(lastTime(model.fan.t));
  if (shown.anomalies) ends.push(...model.markers.map((m) => m.t));
  return [range.from, Math.max(...ends.filter(Number.isFinite))];
}

/** Indices of the points within [x0, x1], plus the nearest one beyond each edge. */
function keptIndices(t: number[], [x0, x1]: [number, number]): number[] {
  let first = t.findIndex((time) => time >= x0);
  if (first < 0) first = t.length;
  let last = t.length - 1;
  while (last >= 0 && t[last] > x1) last--;
  const start = Math.max(0, first - 1);
  const end = Math.min(t.length - 1, last + 1);
  const kept: number[] = [];
  for (let i = start; i <= end; i++) kept.push(i);
  return kept;
}

function cutSeries(series: TimeSeries, x: [number, number]): TimeSeries {
  const kept = keptIndices(series.t, x);
  return { t: kept.map((i) => series.t[i]), v: kept.map((i) => series.v[i]) };
}

function cutRibbon(ribbon: Ribbon, x: [number, number]): Ribbon {
  const kept = keptIndices(ribbon.t, x);
  const pick = (values: number[]) => kept.map((i) => values[i]);
  return { t: pick(ribbon.t), point: pick(ribbon.point), lower: pick(ribbon.lower), upper: pick(ribbon.upper) };
}

function lastTime(t: number[]): number {
  return t.length ? t[t.length - 1] : -Infinity;
}
