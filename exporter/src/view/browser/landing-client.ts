/// <reference lib="dom" />
/**
 * Browser script of the exporter's landing page: lists the series with model, live accuracy and
 * anomaly state, and draws a uPlot chart per series (actuals, history band, future fan, anomaly
 * markers) from the JSON API, refreshed by polling. uPlot is loaded by its own script tag.
 */
import type uPlotType from 'uplot';
import { alignOnTimes } from '../series.js';
import { SEVERITY_COLORS, severityName } from '../anomalies.js';
import { chartInputFromApi, type SeriesDetail, type SeriesSummary } from '../api.js';
import { buildChartModel, type ChartModel } from '../chart-model.js';
import { horizonLabel } from '../levels.js';

declare const uPlot: typeof uPlotType;

interface Chart {
  plot: uPlotType;
  model: ChartModel;
}

const params = new URLSearchParams(location.search);
const refreshMs = Math.max(1, Number(params.get('refresh') ?? 5)) * 1000;
const wantedLevel = params.get('level') ?? undefined;
const charts = new Map<string, Chart>();
// for the browser test and for poking at the page from devtools
(window as unknown as { cloudpulse: unknown }).cloudpulse = { charts };

const COLORS = { actual: '#73BF69', band: '#5794F2', fan: '#B877D9' };

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const fmt = (v: number | null | undefined, digits = 2) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');

function renderTable(series: SeriesSummary[]): void {
  const body = document.querySelector('#series tbody')!;
  body.replaceChildren(
    ...series.map((s) => {
      const row = el('tr', { 'data-series-id': s.id });
      const link = el('a', { href: `#chart-${encodeURIComponent(s.id)}` }, s.series);
      const name = el('td');
      name.append(link, el('div', { class: 'labels' }, labelText(s.labels)));
      const accuracy = s.accuracy
        .map((a) => {
          const cov = Object.entries(a.coverage)
            .map(([level, c]) => `${Math.round(Number(level) * 100)}%: ${fmt(c)}`)
            .join(' ');
          return `${horizonLabel(a.horizon)} MASE ${fmt(a.mase)} · cov ${cov}`;
        })
        .join('\n');
      const severity = s.anomaly?.severity ?? 0;
      const state = el(
        'span',
        { class: `state sev-${severity}` },
        s.anomaly?.isAnomaly ? severityName(severity) : 'normal',
      );
      const anomaly = el('td');
      anomaly.append(state, document.createTextNode(` score ${fmt(s.anomaly?.score)}`));
      row.append(
        name,
        el('td', {}, `${s.model ?? '–'}${s.simulated ? ' (simulated)' : ''}`),
        el('td', { class: 'accuracy' }, accuracy || 'not yet'),
        anomaly,
      );
      return row;
    }),
  );
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

function plotOptions(model: ChartModel, width: number): uPlotType.Options {
  const area = (color: string, label: string): uPlotType.Series => ({
    label,
    stroke: `${color}66`,
    width: 1,
    spanGaps: true,
  });
  const marker = (sev: number): uPlotType.Series => ({
    label: `anomaly ${severityName(sev)}`,
    stroke: SEVERITY_COLORS[sev],
    paths: () => null,
    points: { show: true, size: sev >= 3 ? 9 : 7, fill: SEVERITY_COLORS[sev], stroke: SEVERITY_COLORS[sev] },
  });
  const level = model.level ? `${Math.round(Number(model.level) * 100)}%` : '';
  const horizon = model.horizon !== undefined ? horizonLabel(model.horizon) : '';
  return {
    width,
    height: 260,
    scales: { x: { time: true }, y: { auto: true } },
    series: [
      {},
      { label: 'actual', stroke: COLORS.actual, width: 1.5 },
      area(COLORS.band, `band ${level} lower (${horizon})`),
      area(COLORS.band, `band ${level} upper (${horizon})`),
      { label: `forecast (${horizon} ahead)`, stroke: COLORS.band, dash: [4, 3], width: 1, spanGaps: true },
      area(COLORS.fan, `fan ${level} lower`),
      area(COLORS.fan, `fan ${level} upper`),
      { label: 'forecast', stroke: COLORS.fan, dash: [6, 3], width: 1.5, spanGaps: true },
      marker(1),
      marker(2),
      marker(3),
      marker(4),
    ],
    bands: [
      { series: [3, 2], fill: `${COLORS.band}38` },
      { series: [6, 5], fill: `${COLORS.fan}48` },
    ],
    axes: [
      { stroke: '#8e8e8e', grid: { stroke: '#8e8e8e22' } },
      { stroke: '#8e8e8e', grid: { stroke: '#8e8e8e22' } },
    ],
  };
}

function draw(summary: SeriesSummary, model: ChartModel): void {
  const id = summary.id;
  const data = plotData(model);
  const existing = charts.get(id);
  if (existing) {
    existing.model = model;
    existing.plot.setData(data);
    return;
  }
  const card = el('section', { class: 'chart', id: `chart-${encodeURIComponent(id)}`, 'data-series-id': id });
  card.append(el('h2', {}, `${summary.series} {${labelText(summary.labels)}}`));
  const target = el('div');
  card.append(target);
  document.getElementById('charts')!.append(card);
  const width = Math.max(320, Math.min(1100, card.clientWidth || 900));
  charts.set(id, { plot: new uPlot(plotOptions(model, width), data, target), model });
}

async function refresh(): Promise<void> {
  const status = document.getElementById('status')!;
  try {
    const list = await getJson<{ generatedAt: number; series: SeriesSummary[] }>('api/v1/series');
    renderTable(list.series);
    for (const s of list.series) {
      const detail = await getJson<SeriesDetail>(`api/v1/series/${encodeURIComponent(s.id)}`);
      draw(s, buildChartModel(chartInputFromApi(detail), { level: wantedLevel }));
    }
    for (const id of charts.keys()) {
      if (!list.series.some((s) => s.id === id)) {
        charts.get(id)!.plot.destroy();
        charts.delete(id);
        document.getElementById(`chart-${encodeURIComponent(id)}`)?.remove();
      }
    }
    status.textContent = `${list.series.length} series · updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? 0) + 1);
  } catch (error) {
    status.textContent = `update failed: ${(error as Error).message}`;
  }
  setTimeout(refresh, refreshMs);
}

void refresh();
