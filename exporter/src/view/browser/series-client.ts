/// <reference lib="dom" />
/**
 * Browser script of one series' page (`series?id=KEY`): the chart (chart.ts) with live accuracy
 * in words, the anomaly events of the log as a list that moves the chart to each one, what the
 * model is and why (auto's candidates and their validation errors), and the backtest panel
 * (backtest-panel.ts). Polls the series like the landing page; the rest loads once.
 */
import { accuracyLines, firstTargets } from '../accuracy-note.js';
import { chartInputFromApi, type SeriesDetail } from '../api.js';
import { buildChartModel } from '../chart-model.js';
import { modelSentence, parseAutoDescription } from '../model-story.js';
import { severityName } from '../anomalies.js';
import type { AnomalyEventsResponse, ModelChoiceResponse } from '../series-api.js';
import { windowAround } from '../window.js';
import { horizonLabel } from '../levels.js';
import { createForecastChart, legendItems, type ForecastChart, type RangeChoice } from './chart.js';
import { clock, el, fmtValue, getJson, labelText, showSimulated, wireRangeButtons } from './dom.js';
import { startBacktestPanel } from './backtest-panel.js';

const params = new URLSearchParams(location.search);
const id = params.get('id') ?? '';
const refreshMs = Math.max(1, Number(params.get('refresh') ?? 5)) * 1000;
const api = `api/v1/series/${encodeURIComponent(id)}`;
const state: {
  chart?: ForecastChart;
  range: RangeChoice;
  detail?: SeriesDetail;
  backtest?: (detail: SeriesDetail) => void;
} = { range: 'default' };
/** the page's one chart, keyed by series as on the landing page (for the browser test and devtools) */
const charts = new Map<string, ForecastChart>();
(window as unknown as { cloudpulse: unknown }).cloudpulse = { state, charts };

const $ = (selector: string) => document.querySelector<HTMLElement>(selector)!;

function drawSeries(detail: SeriesDetail, now: number): void {
  state.detail = detail;
  const model = buildChartModel(chartInputFromApi(detail), { level: params.get('level') ?? undefined });
  if (state.chart) state.chart.update(model);
  else {
    $('#series-title').textContent = detail.series;
    $('#series-labels').textContent = labelText(detail.labels);
    document.title = `CloudPulse · ${detail.series} {${labelText(detail.labels)}}`;
    state.chart = createForecastChart($('#chart'), model, {
      height: 360,
      range: state.range,
      readout: $('#readout'),
      label: `${detail.series} chart`,
    });
    charts.set(id, state.chart);
  }
  $('#legend').replaceChildren(...legendItems(model));
  const targets = firstTargets(
    detail.pastForecasts,
    detail.lastSample,
    detail.accuracy.map((a) => a.horizon),
  );
  const lines = accuracyLines(detail.accuracy, { now, firstTargets: targets, clock });
  $('#accuracy').textContent = lines.length > 0 ? `Live accuracy\n${lines.join('\n')}` : '';
}

/**
 * Move the chart to an event: a window of four longest horizons (at least 2 h) centred on it, as
 * a zoom, so double-click or 0 on the chart returns to the range chosen before.
 */
function jumpTo(t: number): void {
  const horizons = state.detail?.horizons ?? [];
  const span = Math.max(7200, 4 * Math.max(0, ...horizons));
  state.chart?.zoom(windowAround(t, span));
  $('#chart').focus();
}

async function loadEvents(): Promise<void> {
  const note = $('#events-note');
  const list = $('#events');
  try {
    const answer = await getJson<AnomalyEventsResponse>(`${api}/events`);
    const fromLog = answer.events.map((e) => ({
      t: e.t,
      text:
        `${clock(e.t)} · ${e.severity} · score ${fmtValue(e.score)} · value ${fmtValue(e.value)}` +
        (e.expected !== null ? `, expected ${fmtValue(e.expected)}` : '') +
        (e.band ? ` (band ${fmtValue(e.band[0])} to ${fmtValue(e.band[1])})` : ''),
    }));
    const remembered = [...(state.detail?.anomalies ?? [])]
      .sort((a, b) => a[0] - b[0])
      .map(([t, score, severity]) => ({
        t,
        text: `${clock(t)} · ${severityName(severity)} · score ${fmtValue(score)}`,
      }));
    const items = answer.logged ? fromLog : remembered;
    note.textContent = answer.logged
      ? items.length === 0
        ? 'No anomaly events logged for this series yet.'
        : `${items.length} events from the anomaly log${answer.truncated ? ' (its most recent part)' : ''}, oldest first; choose one to see it on the chart.`
      : 'No anomaly log is configured (anomaly_log.path), so there are no events to list. ' +
        (remembered.length > 0
          ? 'Below: the anomalous points this exporter remembers for the chart.'
          : 'Nor has the exporter marked any point anomalous since it started.');
    list.replaceChildren(
      ...items.map((item) =>
        el('li', {}, el('button', { type: 'button', class: 'event', 'data-t': String(item.t) }, item.text)),
      ),
    );
    for (const button of list.querySelectorAll<HTMLButtonElement>('button.event')) {
      button.addEventListener('click', () => jumpTo(Number(button.dataset.t)));
    }
  } catch (error) {
    note.textContent = `Anomaly events could not be loaded: ${(error as Error).message}`;
  }
}

async function loadModel(step: number): Promise<void> {
  const sentence = $('#model-sentence');
  const table = $('#candidates');
  try {
    const m = await getJson<ModelChoiceResponse>(`${api}/model`);
    const fitted = m.lastFit !== null ? ` Fitted at ${clock(m.lastFit)}.` : '';
    sentence.textContent = modelSentence(m, step) + fitted + (m.note ? ` (${m.note}.)` : '');
    const v = m.validation;
    if (!v) return void table.replaceChildren();
    const early = horizonLabel(v.earlySteps * step);
    const whole = horizonLabel(v.horizon * step);
    const best = Math.min(...v.candidates.map((c) => c.fullError ?? Infinity));
    // which candidates serve, by auto's own description
    const choice = m.description ? parseAutoDescription(m.description) : undefined;
    const servedEarly = new Set(choice?.early?.members.map((x) => x.name) ?? []);
    const servedLate = new Set(choice?.late.map((x) => x.name) ?? []);
    const badges = (name: string) => [
      ...(servedEarly.has(name) ? [el('span', { class: 'badge' }, `serves the first ${early}`)] : []),
      ...(servedLate.has(name) ? [el('span', { class: 'badge' }, choice?.early ? 'serves after' : 'serves')] : []),
    ];
    const rows = [...v.candidates]
      .sort((a, b) => (a.fullError ?? Infinity) - (b.fullError ?? Infinity))
      .map((c) =>
        el(
          'tr',
          { 'data-candidate': c.name },
          el('td', {}, c.name, ...badges(c.name)),
          el('td', { class: 'muted' }, c.description),
          el('td', { class: 'num' }, fmtValue(c.earlyError)),
          el('td', { class: 'num' }, fmtValue(c.fullError)),
          el('td', { class: 'num' }, c.fullError !== null && best > 0 ? `${(c.fullError / best).toFixed(2)}×` : '–'),
        ),
      );
    const head = el(
      'tr',
      {},
      ...['candidate', 'what it fitted', `error, first ${early}`, `error, ${whole}`, 'of the best'].map((h, i) =>
        el('th', i >= 2 ? { class: 'num' } : {}, h),
      ),
    );
    table.replaceChildren(
      el(
        'p',
        { class: 'muted' },
        `auto validates each candidate on the last ${horizonLabel(v.window * step)} of history, forecasting ` +
          `${whole} ahead every ${horizonLabel(v.stride * step)}, and compares mean absolute errors (per origin, ` +
          `then over origins). It serves the best over the first ${early}, then the mean of the ${v.combine} best over ` +
          `${whole} when the second is within ${v.combineWithin}× of the best, else the best alone. Errors below are ` +
          'that validation re-run now on the current history; the fit in service was made on the history of then.',
      ),
      el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)),
    );
  } catch (error) {
    sentence.textContent = `The model could not be loaded: ${(error as Error).message}`;
  }
}

async function refresh(first: boolean): Promise<void> {
  const status = $('#status');
  try {
    const [detail, list] = await Promise.all([
      getJson<SeriesDetail>(api),
      getJson<{ generatedAt: number; series: Array<{ series: string; simulated: boolean }> }>('api/v1/series'),
    ]);
    showSimulated(list.series);
    drawSeries(detail, list.generatedAt);
    if (first) {
      void loadEvents();
      void loadModel(detail.step);
      state.backtest = startBacktestPanel({ api, detail });
    } else state.backtest?.(detail);
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? 0) + 1);
  } catch (error) {
    status.textContent = `update failed: ${(error as Error).message}`;
  }
  setTimeout(() => void refresh(!state.chart), refreshMs);
}

wireRangeButtons((choice) => {
  state.range = choice;
  state.chart?.setRange(choice);
});
if (!id) $('#status').textContent = 'no series chosen: open this page from the list of series';
else void refresh(true);
