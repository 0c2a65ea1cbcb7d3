/**
 * The backtest report: the per-model summary table (shared with the CLI's text output) and, per
 * series, one plot per model with the actuals, and for every origin the forecast and its bands.
 */
import type { ForecastResult } from '../models/types.js';
import type { HorizonSummary } from '../evaluation/rolling-origin.js';
import { htmlDocument, htmlTable, escapeHtml } from './html.js';
import { formatUnixTick, legendHtml, plotSvg, type BandSeries, type LineSeries } from './svg.js';

export interface BacktestForecast {
  /** index of the first forecast step in the series */
  origin: number;
  result: ForecastResult;
  /** the model failed here and the engine's naive fallback was scored */
  failed: boolean;
}

export interface BacktestSeriesRun {
  name: string;
  start: number;
  step: number;
  values: ArrayLike<number>;
  models: { model: string; forecasts: BacktestForecast[] }[];
}

export interface BacktestSummaryRow {
  model: string;
  summary: HorizonSummary;
}

export interface BacktestReportData {
  title: string;
  /** shown as given; the caller owns the clock */
  generatedAt: string;
  input: string;
  horizon: number;
  origins: number;
  levels: number[];
  summary: BacktestSummaryRow[];
  series: BacktestSeriesRun[];
}

const pct = (level: number) => String(+(level * 100).toFixed(2));
const num = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** Header and rows of the per-model summary, as printed by the CLI and shown in the report. */
export function summaryTable(rows: BacktestSummaryRow[], levels: number[]): { headers: string[]; rows: string[][] } {
  const headers = [
    'model',
    'series',
    'MASE mean',
    'MASE median',
    'MASE gmean',
    'sMAPE %',
    ...levels.map((l) => `cov${pct(l)}`),
    ...levels.map((l) => `MSIS${pct(l)} gmean`),
    'fit ms',
    'fails',
  ];
  return {
    headers,
    rows: rows.map(({ model, summary: s }) => [
      model,
      String(s.series),
      num(s.maseMean),
      num(s.maseMedian),
      num(s.maseGeoMean),
      num(s.smape, 2),
      ...s.coverage.map((c) => num(c)),
      ...s.msisGeoMean.map((m) => num(m, 2)),
      num(s.fitMsMean, 1),
      String(s.fails),
    ]),
  };
}

/** Fixed-width text rendering of a table for the terminal. */
export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

const FORECAST = '#1f5fbf';
const ACTUAL = '#222222';
const FAILED = '#c0392b';

function seriesPlot(run: BacktestSeriesRun, model: string, forecasts: BacktestForecast[], horizon: number): string {
  const first = Math.min(...forecasts.map((f) => f.origin));
  const last = Math.max(...forecasts.map((f) => f.origin)) + horizon;
  // enough context before the first origin to see the pattern the model was fed
  const from = Math.max(0, first - Math.max(2 * horizon, Math.round((last - first) / 3)));
  const to = Math.min(run.values.length, last);
  const time = (i: number) => run.start + i * run.step;
  const actualX = Array.from({ length: to - from }, (_, i) => time(from + i));
  const actualY = Array.from({ length: to - from }, (_, i) => run.values[from + i]);
  const bands: BandSeries[] = [];
  const lines: LineSeries[] = [{ x: actualX, y: actualY, color: ACTUAL, width: 1 }];
  for (const f of forecasts) {
    const x = f.result.point.map((_, k) => time(f.origin + k));
    // widest band first so narrower ones draw on top of it
    const intervals = [...f.result.intervals].sort((a, b) => b.level - a.level);
    intervals.forEach((iv, j) =>
      bands.push({ x, lower: iv.lower, upper: iv.upper, color: FORECAST, opacity: 0.15 + 0.1 * j }),
    );
    lines.push({ x, y: f.result.point, color: f.failed ? FAILED : FORECAST, width: 1.6 });
  }
  return plotSvg({
    title: `${run.name} · ${model}`,
    bands,
    lines,
    markers: forecasts.map((f) => ({ x: time(f.origin), color: '#888', dash: '3 3' })),
    formatX: formatUnixTick,
  });
}

export function renderBacktestReport(data: BacktestReportData): string {
  const table = summaryTable(data.summary, data.levels);
  const parts: string[] = [
    `<p class="meta">input ${escapeHtml(data.input)} · horizon ${data.horizon} steps · up to ${data.origins} origins per series · ` +
      `levels ${data.levels.map(pct).join(', ')}% · generated ${escapeHtml(data.generatedAt)}</p>`,
    '<h2>Summary</h2>',
    htmlTable(table.headers, table.rows),
    '<p class="meta">MASE is scaled by the in-sample seasonal-naive error (daily season); coverage is the share of ' +
      'actuals inside each band; fit ms includes the forecast.</p>',
    legendHtml([
      { label: 'actual', color: ACTUAL, kind: 'line' },
      { label: 'forecast', color: FORECAST, kind: 'line' },
      { label: 'failed fit (naive fallback)', color: FAILED, kind: 'line' },
      ...data.levels.map((l) => ({ label: `${pct(l)}% band`, color: FORECAST, kind: 'band' as const })),
    ]),
  ];
  for (const run of data.series) {
    parts.push(`<h2>${escapeHtml(run.name)}</h2>`);
    const plotted = run.models.filter((m) => m.forecasts.length > 0);
    if (plotted.length === 0)
      parts.push('<p class="meta">no origin could be scored (history constant or too short)</p>');
    for (const m of plotted) parts.push(seriesPlot(run, m.model, m.forecasts, data.horizon));
  }
  return htmlDocument(data.title, parts.join('\n'));
}
