/// <reference lib="dom" />
/**
 * Browser script of the exporter's landing page: lists the series with model, live accuracy and
 * anomaly state (each linked to its own page), and draws a chart per series (chart.ts) from the
 * JSON API, refreshed by polling. The range buttons set every chart's window; a zoom is per chart.
 * uPlot is loaded by its own script tag.
 */
import { severityName } from '../anomalies.js';
import { accuracyLines, firstTargets } from '../accuracy-note.js';
import { chartInputFromApi, type SeriesDetail, type SeriesSummary } from '../api.js';
import { buildChartModel } from '../chart-model.js';
import { modelShort } from '../model-story.js';
import { createForecastChart, legendItems, type ForecastChart, type RangeChoice } from './chart.js';
import { clock, el, fmt, getJson, labelText, showSimulated, wireRangeButtons } from './dom.js';

const params = new URLSearchParams(location.search);
const refreshMs = Math.max(1, Number(params.get('refresh') ?? 5)) * 1000;
const wantedLevel = params.get('level') ?? undefined;
const charts = new Map<string, ForecastChart>();
let range: RangeChoice = 'default';
// for the browser test and for poking at the page from devtools
(window as unknown as { cloudpulse: unknown }).cloudpulse = { charts };

const seriesHref = (id: string) => `series?id=${encodeURIComponent(id)}`;

function renderTable(series: SeriesSummary[], details: Map<string, SeriesDetail>, now: number): void {
  const body = document.querySelector('#series tbody')!;
  body.replaceChildren(
    ...series.map((s) => {
      const detail = details.get(s.id);
      const targets = firstTargets(
        detail?.pastForecasts ?? [],
        s.lastSample,
        s.accuracy.map((a) => a.horizon),
      );
      const accuracy = accuracyLines(s.accuracy, { now, firstTargets: targets, clock }).join('\n');
      const severity = s.anomaly?.severity ?? 0;
      const state = el(
        'span',
        { class: `state sev-${severity}` },
        s.anomaly?.isAnomaly ? severityName(severity) : 'normal',
      );
      const model = { requested: s.modelRequested ?? null, serving: s.model, description: s.modelDescription };
      return el(
        'tr',
        { 'data-series-id': s.id },
        el(
          'td',
          {},
          el('a', { href: seriesHref(s.id) }, s.series),
          el('div', { class: 'labels' }, labelText(s.labels)),
        ),
        el('td', { title: s.modelDescription ?? '' }, modelShort(model, s.step)),
        el('td', { class: 'accuracy' }, accuracy || 'not yet'),
        el('td', {}, state, ` score ${fmt(s.anomaly?.score)}`),
      );
    }),
  );
}

function draw(summary: SeriesSummary, detail: SeriesDetail): void {
  const model = buildChartModel(chartInputFromApi(detail), { level: wantedLevel });
  const id = summary.id;
  const existing = charts.get(id);
  if (existing) {
    existing.update(model);
    return;
  }
  const title = el('h2', {}, el('a', { href: seriesHref(id) }, summary.series), ` {${labelText(summary.labels)}}`);
  const target = el('div', { class: 'plot' });
  const legend = el('div', { class: 'legend' }, ...legendItems(model));
  const card = el('section', { class: 'card chart', id: `chart-${encodeURIComponent(id)}`, 'data-series-id': id });
  card.append(title, target, legend);
  document.getElementById('charts')!.append(card);
  charts.set(id, createForecastChart(target, model, { height: 260, range, label: `${summary.series} chart` }));
}

async function refresh(): Promise<void> {
  const status = document.getElementById('status')!;
  try {
    const list = await getJson<{ generatedAt: number; series: SeriesSummary[] }>('api/v1/series');
    showSimulated(list.series);
    const details = new Map<string, SeriesDetail>();
    for (const s of list.series) {
      const detail = await getJson<SeriesDetail>(`api/v1/series/${encodeURIComponent(s.id)}`);
      details.set(s.id, detail);
      draw(s, detail);
    }
    renderTable(list.series, details, list.generatedAt);
    for (const id of charts.keys()) {
      if (!list.series.some((s) => s.id === id)) {
        charts.get(id)!.destroy();
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

wireRangeButtons((choice) => {
  range = choice;
  for (const chart of charts.values()) chart.setRange(choice);
});
void refresh();
