/// <reference lib="dom" />
/**
 * The series page's backtest: a form (range, origins, models), the forecasts of every model at
 * every origin over the actuals for one horizon, a table per horizon with MASE, band coverage and
 * MSIS per model (the numbers `cloudpulse backtest` prints for the same input), the "use this
 * model" hint and the commands that reproduce it. Runs once on load with the defaults.
 */
import type uPlotType from 'uplot';
import type { SeriesDetail } from '../api.js';
import { adviseModel } from '../backtest-advice.js';
import { horizonLabel } from '../levels.js';
import { BACKTEST_MODELS, DEFAULT_BACKTEST_MODELS, MAX_BACKTEST_MODELS, type BacktestResponse } from '../series-api.js';
import { alignOnTimes } from '../series.js';
import { AXES, COLORS } from './chart.js';
import { el, fmt } from './dom.js';

declare const uPlot: typeof uPlotType;

const MODEL_COLORS = ['#F2CC0C', '#FF780A', '#8AB8FF', '#FF7383', '#56A64B', '#CA95E5', '#A1E6E6'];
const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const pct = (level: number) => `${Math.round(level * 100)}%`;

interface Panel {
  api: string;
  detail: SeriesDetail;
  result?: BacktestResponse;
  plot?: uPlotType;
}

const panel: { current?: Panel } = {};
(window as unknown as { cloudpulseBacktest: unknown }).cloudpulseBacktest = panel;

function modelCheckboxes(configured: string): void {
  const box = $('#backtest-models');
  const defaults = new Set([configured, ...DEFAULT_BACKTEST_MODELS].slice(0, MAX_BACKTEST_MODELS));
  for (const name of BACKTEST_MODELS) {
    const input = el('input', { type: 'checkbox', name: 'model', value: name });
    input.checked = defaults.has(name);
    box.append(el('label', {}, input, ` ${name}`));
  }
}

/** The query of the form's choices, or an error message. */
function query(form: HTMLFormElement, lastSample: number): URLSearchParams | string {
  const data = new FormData(form);
  const q = new URLSearchParams();
  const span = String(data.get('span'));
  if (span === 'custom') {
    const from = Date.parse(String(data.get('from'))) / 1000;
    const to = Date.parse(String(data.get('to'))) / 1000;
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return 'choose a start before the end';
    q.set('from', String(from));
    q.set('to', String(to));
  } else {
    q.set('from', String(lastSample - Number(span)));
    q.set('to', String(lastSample));
  }
  q.set('origins', String(data.get('origins')));
  const models = data.getAll('model').map(String);
  if (models.length === 0 || models.length > MAX_BACKTEST_MODELS) return `choose 1 to ${MAX_BACKTEST_MODELS} models`;
  q.set('models', models.join(','));
  return q;
}

async function run(p: Panel, q: URLSearchParams): Promise<void> {
  const status = $('#backtest-status');
  const button = $<HTMLButtonElement>('#backtest-form button[type=submit]');
  const models = q.get('models')!.split(',');
  status.textContent = `Running: ${models.length} models × ${p.detail.horizons.length} horizons × ${q.get('origins')} origins, off the exporter's main thread…`;
  button.disabled = true;
  try {
    const res = await fetch(`${p.api}/backtest?${q}`, { headers: { accept: 'application/json' } });
    const body = (await res.json()) as BacktestResponse & { message?: string };
    if (res.status === 429) {
      status.textContent = `The exporter is busy with other backtests; try again in ${res.headers.get('retry-after') ?? 'a few'} s.`;
      return;
    }
    if (!res.ok) {
      status.textContent = `Backtest failed: ${body.message ?? `HTTP ${res.status}`}`;
      return;
    }
    p.result = body;
    render(p);
    const how = body.cached
      ? 'computed earlier for the same input'
      : `computed in ${(body.elapsedMs / 1000).toFixed(1)} s`;
    status.textContent = `Origins between ${new Date(body.window.from * 1000).toLocaleString()} and ${new Date(body.window.to * 1000).toLocaleString()}, ${how}.`;
    document.body.dataset.backtests = String(Number(document.body.dataset.backtests ?? 0) + 1);
  } catch (error) {
    status.textContent = `Backtest failed: ${(error as Error).message}`;
  } finally {
    button.disabled = false;
  }
}

function metricCell(value: number | null, model: string, horizon: number, metric: string, digits = 3) {
  const attrs: Record<string, string> = {
    class: 'num',
    'data-model': model,
    'data-horizon': String(horizon),
    'data-metric': metric,
  };
  attrs['data-value'] = value === null ? '' : String(value);
  return el('td', attrs, fmt(value, digits));
}

function tables(r: BacktestResponse): HTMLElement {
  const out = el('div', { class: 'tables' });
  for (const h of r.horizons) {
    const best = Math.min(...h.models.map((m) => m.maseMean ?? Infinity));
    const head = el(
      'tr',
      {},
      el('th', {}, 'model'),
      el('th', { class: 'num' }, 'MASE'),
      ...r.levels.map((l) => el('th', { class: 'num' }, `in ${pct(l)} band`)),
      ...r.levels.map((l) => el('th', { class: 'num' }, `MSIS ${pct(l)}`)),
      el('th', { class: 'num' }, 'fails'),
    );
    const rows = h.models.map((m) =>
      el(
        'tr',
        {},
        el('td', {}, m.model, m.maseMean === best ? ' ★' : ''),
        metricCell(m.maseMean, m.model, h.horizon, 'mase'),
        // the digits `cloudpulse backtest` prints: MASE and coverage 3, MSIS 2
        ...m.coverage.map((c, i) => metricCell(c, m.model, h.horizon, `coverage-${r.levels[i]}`, 3)),
        ...m.msis.map((s, i) => metricCell(s, m.model, h.horizon, `msis-${r.levels[i]}`, 2)),
        el('td', { class: 'num' }, String(m.fails)),
      ),
    );
    const caption = el(
      'caption',
      {},
      `${horizonLabel(h.horizon)} ahead (${h.steps} steps, ${h.models[0]?.scored ?? 0} origins)`,
    );
    out.append(el('table', {}, caption, el('thead', {}, head), el('tbody', {}, ...rows)));
  }
  return out;
}

function overlay(p: Panel, horizonIndex: number): void {
  const r = p.result!;
  const h = r.horizons[horizonIndex];
  const first = Math.min(...h.models.flatMap((m) => m.forecasts.map((f) => f.start)));
  const last = Math.max(
    ...h.models.flatMap((m) => m.forecasts.map((f) => f.start + (f.point.length - 1) * r.input.step)),
  );
  const from = first - Math.max(h.horizon, (last - first) / 4);
  const actual = p.detail.actual.filter(([t]) => t >= from && t <= last);
  // the series' own model last and thicker, so it is drawn over the candidates it chose from
  const served = p.detail.modelRequested ?? 'auto';
  const order = h.models
    .map((_, i) => i)
    .sort((a, b) => +(h.models[a].model === served) - +(h.models[b].model === served));
  const lines = order.flatMap((i) =>
    h.models[i].forecasts.map((f) => ({
      t: f.point.map((_, k) => f.start + k * r.input.step),
      v: f.point.map((v) => v ?? NaN),
    })),
  );
  const [t, ...columns] = alignOnTimes([{ t: actual.map(([x]) => x), v: actual.map(([, v]) => v ?? NaN) }, ...lines]);
  const data = [t, ...columns.map((c) => c.map((v) => (Number.isFinite(v) ? v : null)))] as uPlotType.AlignedData;
  const series: uPlotType.Series[] = [{}, { label: 'actual', stroke: COLORS.actual, width: 1.5 }];
  for (const i of order) {
    const m = h.models[i];
    for (const f of m.forecasts) {
      const stroke = f.failed ? '#c0392b' : MODEL_COLORS[i % MODEL_COLORS.length];
      series.push({ label: m.model, stroke, width: m.model === served ? 2.2 : 1.2 });
    }
  }
  const target = $('#backtest-chart');
  p.plot?.destroy();
  p.plot = new uPlot(
    {
      width: Math.max(200, target.clientWidth),
      height: 300,
      legend: { show: false },
      scales: { x: { time: true } },
      series,
      axes: AXES,
    },
    data,
    target,
  );
  $('#backtest-legend').replaceChildren(
    el('span', {}, el('i', { style: `background:${COLORS.actual}` }), 'actual'),
    ...h.models.map((m, i) =>
      el(
        'span',
        {},
        el('i', { style: `background:${MODEL_COLORS[i % MODEL_COLORS.length]}` }),
        `${m.model}: a forecast from each origin${m.model === served ? " (this series' model, drawn on top)" : ''}`,
      ),
    ),
  );
}

function render(p: Panel): void {
  const r = p.result!;
  $('#backtest-results').hidden = false;
  const select = $<HTMLSelectElement>('#backtest-horizon');
  select.replaceChildren(
    ...r.horizons.map((h, i) => el('option', { value: String(i) }, `${horizonLabel(h.horizon)} ahead`)),
  );
  select.value = String(r.horizons.length - 1);
  select.onchange = () => overlay(p, Number(select.value));
  overlay(p, r.horizons.length - 1);
  $('#backtest-table').replaceChildren(tables(r));
  const configured = p.detail.modelRequested ?? 'auto';
  const advice = adviseModel(r, p.detail.series, configured);
  $('#advice').replaceChildren(
    el('p', {}, el('strong', {}, 'Use this model? '), advice.text),
    ...(advice.config ? [el('pre', { 'aria-label': 'config lines' }, advice.config)] : []),
  );
  // exactly this answer's input, as input.csv writes it: the history slides on after the run
  const { start, step, values } = r.input;
  const rows = values.map((v, i) => `${start + i * step},${v === null ? '' : String(v)}`);
  const csv = $<HTMLAnchorElement>('#backtest-csv');
  if (csv.href.startsWith('blob:')) URL.revokeObjectURL(csv.href);
  csv.href = URL.createObjectURL(new Blob([['timestamp,value', ...rows].join('\n') + '\n'], { type: 'text/csv' }));
  csv.download = `${p.detail.series}.csv`;
  $('#backtest-commands').textContent = r.horizons
    .map((h) => `${h.command} --json ${p.detail.series}-${h.steps}.json`)
    .join('\n');
}

/** Start the panel; returns what the page calls with each newer detail of the series. */
export function startBacktestPanel(o: { api: string; detail: SeriesDetail }): (detail: SeriesDetail) => void {
  const p: Panel = { api: o.api, detail: o.detail };
  panel.current = p;
  modelCheckboxes(o.detail.modelRequested ?? 'auto');
  const form = $<HTMLFormElement>('#backtest-form');
  const span = form.elements.namedItem('span') as HTMLSelectElement;
  span.addEventListener('change', () => {
    for (const name of ['from', 'to'])
      (form.elements.namedItem(name) as HTMLInputElement).parentElement!.hidden = span.value !== 'custom';
  });
  const lastSample = () => p.detail.lastSample ?? Date.now() / 1000;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = query(form, lastSample());
    if (typeof q === 'string') $('#backtest-status').textContent = q;
    else void run(p, q);
  });
  const q = query(form, lastSample());
  if (typeof q !== 'string') void run(p, q);
  new ResizeObserver(() => {
    const target = $('#backtest-chart');
    if (p.plot && target.clientWidth > 0 && target.clientWidth !== p.plot.width)
      p.plot.setSize({ width: target.clientWidth, height: 300 });
  }).observe($('#backtest-chart'));
  return (detail) => {
    p.detail = detail;
  };
}
