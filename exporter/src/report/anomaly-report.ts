/** The `cloudpulse evaluate --report` page: ROC curves, confusion matrices, per-series plots. */
import { plotSvg } from './svg.js';
import { escapeHtml, htmlDocument, htmlTable } from './html.js';
import { rocCurve, labelledWindows } from '../evaluation/anomaly-metrics.js';
import type { FileMetrics, overallMetrics } from '../evaluation/anomaly-replay.js';

export interface ReportSeries {
  detector: string;
  key: string;
  t: number[];
  v: number[];
  labels: Uint8Array;
  scores: Float64Array;
  flags: Uint8Array;
}

type Results = Record<string, { files: FileMetrics[]; overall: ReturnType<typeof overallMetrics> }>;

export function anomalyReportHtml(results: Results, series: ReportSeries[]): string {
  const parts: string[] = [];
  for (const [name, r] of Object.entries(results)) {
    const mine = series.filter((s) => s.detector === name);
    const scores = mine.flatMap((s) => Array.from(s.scores));
    const labels = mine.flatMap((s) => Array.from(s.labels));
    const roc = rocCurve(scores, labels);
    const o = r.overall;
    parts.push(`<h2>${escapeHtml(name)}</h2>`);
    parts.push(
      plotSvg({
        width: 360,
        height: 300,
        title: `ROC (mean per-file AUC ${o.rocAuc.toFixed(3)})`,
        lines: [
          { x: roc.map((p) => p.fpr), y: roc.map((p) => p.tpr), color: '#1f77b4', label: 'ROC' },
          { x: [0, 1], y: [0, 1], color: '#999', dash: '4 3' },
        ],
      }),
    );
    parts.push('<h3>Confusion matrix (points)</h3>');
    parts.push(
      htmlTable(
        ['', 'predicted anomaly', 'predicted normal'],
        [
          ['labelled anomaly', o.tp, o.fn],
          ['labelled normal', o.fp, o.tn],
        ],
      ),
    );
    const inc = o.incidents;
    parts.push(
      `<p>Incidents: ${inc.caught} of ${inc.windows} labelled windows caught; ${inc.trueAlerts} of ${inc.alerts} alerts true (precision ${inc.precision.toFixed(3)}, recall ${inc.recall.toFixed(3)}, F1 ${inc.f1.toFixed(3)}).</p>`,
    );
    parts.push(
      htmlTable(
        ['file', 'precision', 'recall', 'F1', 'ROC-AUC', 'PR-AUC', 'delay', 'windows caught', 'true alerts'],
        r.files.map((f) => [
          f.key,
          f.precision.toFixed(3),
          f.recall.toFixed(3),
          f.f1.toFixed(3),
          f.rocAuc.toFixed(3),
          f.prAuc.toFixed(3),
          Number.isFinite(f.delay) ? f.delay.toFixed(1) : '-',
          `${f.incidents.caught}/${f.incidents.windows}`,
          `${f.incidents.trueAlerts}/${f.incidents.alerts}`,
        ]),
      ),
    );
    for (const s of mine) {
      const spans = labelledWindows(s.labels).map(([a, b]) => ({
        from: s.t[a],
        to: s.t[b],
        color: '#ff7f0e',
        opacity: 0.2,
      }));
      const markers = s.t.filter((_, i) => s.flags[i] && !s.flags[i - 1]).map((x) => ({ x, color: '#d62728' }));
      parts.push(
        plotSvg({
          width: 900,
          height: 200,
          title: s.key,
          lines: [{ x: s.t, y: s.v, color: '#1f77b4' }],
          spans,
          markers,
        }),
      );
    }
  }
  return htmlDocument('CloudPulse anomaly evaluation', parts.join('\n'));
}
