/// <reference lib="dom" />
/**
 * One forecast chart in the browser (uPlot): actuals, the band of past forecasts, the future fan
 * and anomaly markers from a ChartModel, inside a window that always ends where the forecast
 * ends (window.ts). Drag to zoom, double-click to reset; with the chart focused, + and - zoom,
 * the arrow keys pan and 0 resets. The plot takes the full width of its container, whatever it is.
 */
import type uPlotType from 'uplot';
import { alignOnTimes } from '../series.js';
import { SEVERITY_COLORS, severityName } from '../anomalies.js';
import type { ChartModel } from '../chart-model.js';
import { horizonLabel } from '../levels.js';
import { defaultHistorySeconds, windowFor, type TimeWindow } from '../window.js';
import { clock, compactTick, el, fmtValue } from './dom.js';

declare const uPlot: typeof uPlotType;

export const COLORS = { actual: '#73BF69', band: '#5794F2', fan: '#B877D9' };

export const AXES: uPlotType.Axis[] = [
  { stroke: '#8e8e8e', grid: { stroke: '#8e8e8e22' } },
  { stroke: '#8e8e8e', grid: { stroke: '#8e8e8e22' }, size: 56, values: (_u, ticks) => ticks.map(compactTick) },
];

/** what the chart shows: the default window, that many seconds of history, or a zoom */
export type RangeChoice = 'default' | number | TimeWindow;

export interface ForecastChart {
  readonly plot: uPlotType;
  model: ChartModel;
  /** the window on screen */
  readonly window: TimeWindow | undefined;
  update(model: ChartModel): void;
  setRange(range: RangeChoice): void;
  /** show this window, as a drag would: a reset returns to the range chosen */
  zoom(window: TimeWindow): void;
  destroy(): void;
}

/** uPlot's column data: the union of all times, NaN gaps as null. */
function plotData(model: ChartModel): uPlotType.AlignedData {
  const { actual, band, fan, markers } = model;
  const bySeverity = [1, 2, 3, 4].map((sev) => {
    const m = markers.filter((x) => x.severity === sev && Number.isFinite(x.v));
    return { t: m.map((x) => x.t), v: m.map((x) => x.v) };
  });
  const [t, ...columns] = alignOnTimes([
    actual,
    { t: band.t, v: band.lower },
    { t: band.t, v: band.upper },
    { t: band.t, v: band.point },
    { t: fan.t, v: fan.lower },
    { t: fan.t, v: fan.upper },
    { t: fan.t, v: fan.point },
    ...bySeverity,
  ]);
  return [t, ...columns.map((c) => c.map((v) => (Number.isFinite(v) ? v : null)))];
}

function seriesOptions(model: ChartModel): uPlotType.Series[] {
  const edge = (color: string, label: string): uPlotType.Series => ({
    label,
    stroke: `${color}66`,
    width: 1,
    spanGaps: true,
  });
  const marker = (sev: number): uPlotType.Series => ({
    label: `anomaly ${severityName(sev)}`,
    stroke: SEVERITY_COLORS[sev],
    paths: () => null,
    points: { show: true, size: sev >= 3 ? 10 : 8, fill: SEVERITY_COLORS[sev], stroke: SEVERITY_COLORS[sev] },
  });
  const level = model.level ? `${Math.round(Number(model.level) * 100)}%` : '';
  const horizon = model.horizon !== undefined ? horizonLabel(model.horizon) : '';
  return [
    {},
    { label: 'actual', stroke: COLORS.actual, width: 1.5 },
    edge(COLORS.band, `band ${level} lower (${horizon})`),
    edge(COLORS.band, `band ${level} upper (${horizon})`),
    { label: `forecast (${horizon} ahead)`, stroke: COLORS.band, dash: [4, 3], width: 1, spanGaps: true },
    edge(COLORS.fan, `fan ${level} lower`),
    edge(COLORS.fan, `fan ${level} upper`),
    { label: 'forecast', stroke: COLORS.fan, dash: [6, 3], width: 1.5, spanGaps: true },
    marker(1),
    marker(2),
    marker(3),
    marker(4),
  ];
}

/** The legend under the chart: what each colour is, in words. */
export function legendItems(model: ChartModel): HTMLElement[] {
  const level = model.level ? `${Math.round(Number(model.level) * 100)}%` : '';
  const horizon = model.horizon !== undefined ? horizonLabel(model.horizon) : '';
  const item = (color: string, text: string, round = false) =>
    el('span', {}, el('i', { style: `background:${color}${round ? ';border-radius:50%;width:8px' : ''}` }), text);
  const severities = [...new Set(model.markers.map((m) => m.severity))].sort();
  return [
    item(COLORS.actual, 'actual'),
    ...(model.band.t.length > 0 ? [item(`${COLORS.band}99`, `past forecasts ${horizon} ahead, ${level} band`)] : []),
    ...(model.fan.t.length > 0 ? [item(`${COLORS.fan}aa`, `forecast, ${level} band`)] : []),
    ...severities.map((s) => item(SEVERITY_COLORS[s], `anomaly: ${severityName(s)}`, true)),
  ];
}

/** The window a range choice gives for the model's data. */
export function windowOf(model: ChartModel, range: RangeChoice): TimeWindow | undefined {
  if (typeof range === 'object') return range;
  const lastSample = model.lastSample.t;
  const forecastEnd = model.fan.t.length > 0 ? model.fan.t[model.fan.t.length - 1] : NaN;
  const history = range === 'default' ? defaultHistorySeconds(forecastEnd - lastSample) : range;
  return windowFor(history, { firstSample: model.actual.t[0] ?? NaN, lastSample, forecastEnd });
}

export function createForecastChart(
  target: HTMLElement,
  initial: ChartModel,
  o: { height: number; range: RangeChoice; readout?: HTMLElement; label: string },
): ForecastChart {
  let model = initial;
  let range = o.range;
  /** the range the page chose, restored by a double-click after a zoom */
  let chosen = o.range;
  let window = windowOf(model, range);
  const markerAt = () => new Map(model.markers.map((m) => [m.t, m]));
  let markers = markerAt();

  const readout = (u: uPlotType) => {
    if (!o.readout) return;
    const i = u.cursor.idx;
    if (i === null || i === undefined) return void (o.readout.textContent = '');
    const t = u.data[0][i];
    const part = (label: string, col: number, lo?: number, hi?: number) => {
      const v = u.data[col][i];
      if (v === null || v === undefined) return '';
      const band =
        lo !== undefined && u.data[lo][i] != null ? ` [${fmtValue(u.data[lo][i])}, ${fmtValue(u.data[hi!][i])}]` : '';
      return ` · ${label} ${fmtValue(v)}${band}`;
    };
    const m = markers.get(t);
    const anomaly = m ? ` · anomaly: ${severityName(m.severity)} (score ${fmtValue(m.score)})` : '';
    o.readout.textContent =
      clock(t) + part('actual', 1) + part('past forecast', 4, 2, 3) + part('forecast', 7, 5, 6) + anomaly;
  };

  const apply = () => {
    window = windowOf(model, range);
    if (window) plot.setScale('x', { min: window.from, max: window.to });
  };
  const zoomTo = (w: TimeWindow) => {
    if (!(w.to > w.from)) return;
    range = w;
    apply();
  };
  const reset = () => {
    range = chosen;
    apply();
  };

  const options: uPlotType.Options = {
    width: Math.max(200, target.clientWidth),
    height: o.height,
    legend: { show: false },
    scales: {
      x: { time: true, range: (_u, min, max) => (window ? [window.from, window.to] : [min, max]) },
      y: { auto: true },
    },
    series: seriesOptions(model),
    bands: [
      { series: [3, 2], fill: `${COLORS.band}38` },
      { series: [6, 5], fill: `${COLORS.fan}48` },
    ],
    axes: AXES,
    cursor: {
      drag: { x: true, y: false, setScale: false },
      bind: { dblclick: () => () => (reset(), null) },
    },
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width > 4) {
            zoomTo({ from: u.posToVal(u.select.left, 'x'), to: u.posToVal(u.select.left + u.select.width, 'x') });
          }
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        },
      ],
      setCursor: [readout],
    },
  };
  const plot = new uPlot(options, plotData(model), target);

  // the chart is a control too: keys zoom and pan the window it shows
  target.tabIndex = 0;
  target.setAttribute('role', 'img');
  target.setAttribute('aria-label', `${o.label}. Keys: + and - zoom, arrows pan, 0 resets.`);
  target.addEventListener('keydown', (e) => {
    const w = window;
    if (!w) return;
    const width = w.to - w.from;
    const centre = (w.from + w.to) / 2;
    if (e.key === '+' || e.key === '=') zoomTo({ from: centre - width / 4, to: centre + width / 4 });
    else if (e.key === '-') zoomTo({ from: centre - width, to: centre + width });
    else if (e.key === 'ArrowLeft') zoomTo({ from: w.from - width / 4, to: w.to - width / 4 });
    else if (e.key === 'ArrowRight') zoomTo({ from: w.from + width / 4, to: w.to + width / 4 });
    else if (e.key === '0' || e.key === 'Escape') reset();
    else return;
    e.preventDefault();
  });

  const resize = new ResizeObserver(() => {
    const width = Math.floor(target.clientWidth);
    if (width > 0 && width !== plot.width) plot.setSize({ width, height: o.height });
  });
  resize.observe(target);

  return {
    plot,
    get model() {
      return model;
    },
    set model(m) {
      model = m;
    },
    get window() {
      return window;
    },
    update(next: ChartModel) {
      model = next;
      markers = markerAt();
      window = windowOf(model, range);
      plot.setData(plotData(model));
    },
    setRange(next: RangeChoice) {
      chosen = next;
      range = next;
      apply();
    },
    zoom: zoomTo,
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
