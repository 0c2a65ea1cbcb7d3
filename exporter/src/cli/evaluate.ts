/** `cloudpulse evaluate`: replay labelled NAB-layout data through detectors and score them. */
import { writeFileSync } from 'node:fs';
import type { Command } from './types.js';
import { UsageError } from './types.js';
import { parseFlags } from './args.js';
import { getDetector, DETECTORS, DEFAULT_DETECTOR, DEFAULT_THRESHOLD } from '../detectors/index.js';
import { labelRows, listLabelledFiles, readWindows } from '../evaluation/nab-layout.js';
import { csvReader, STRICT_ORDER_FLAG, STRICT_ORDER_USAGE } from './inputs.js';
import { fileMetrics, overallMetrics, replay, type FileMetrics } from '../evaluation/anomaly-replay.js';
import type { IncidentCounts } from '../evaluation/anomaly-metrics.js';
import { anomalyReportHtml, type ReportSeries } from '../report/anomaly-report.js';

const usage = `usage: cloudpulse evaluate --input DIR --labels FILE [--model a,b] [--threshold X] [--supervised] [--report FILE.html] [--json FILE]

Replays every DIR/<category>/<file>.csv through each detector (causally) and prints precision,
recall, F1, ROC-AUC, PR-AUC, mean detection delay (rows), incidents (labelled windows caught /
windows, true alerts / alerts) and a NAB-style windowed score, per file and overall. FILE maps "category/file.csv" to anomaly windows [[start, end], ...].

  --model      detectors, comma-separated (default ${DEFAULT_DETECTOR}; known: ${Object.keys(DETECTORS).join(', ')})
  --threshold  score at or above which a point is anomalous (default ${DEFAULT_THRESHOLD})
  --supervised also hand each file's windows to the detectors as known incidents: random_forest
               learns from a window once it has ended (causal; figures then use the labels twice,
               so compare them only with other supervised runs)
  --report     write a self-contained HTML report (ROC curve, confusion matrix, per-series plots)
  --json       write all figures as JSON
${STRICT_ORDER_USAGE}

Rows are replayed in time order, every row scored (a repeated timestamp's rows one after another).`;

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function line(
  name: string,
  m: { precision: number; recall: number; f1: number; rocAuc: number; prAuc: number; delay: number },
  incidents: IncidentCounts,
  windowed: string,
): string {
  const caught = `${incidents.caught}/${incidents.windows}`.padStart(7);
  const alerts = `${incidents.trueAlerts}/${incidents.alerts}`.padStart(7);
  return `${name.padEnd(58)} ${fmt(m.precision)} ${fmt(m.recall)} ${fmt(m.f1)} ${fmt(m.rocAuc)} ${fmt(m.prAuc)} ${fmt(m.delay, 1).padStart(6)} ${caught} ${alerts} ${windowed}`;
}

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'score detectors on labelled data (NAB layout): F1, ROC-AUC, PR-AUC, delay, NAB-style score',
  usage,
  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'input', type: 'string' },
      { name: 'labels', type: 'string' },
      { name: 'model', type: 'string' },
      { name: 'threshold', type: 'number' },
      { name: 'supervised', type: 'boolean' },
      { name: 'report', type: 'string' },
      { name: 'json', type: 'string' },
      STRICT_ORDER_FLAG,
    ]);
    if (typeof flags.input !== 'string') throw new UsageError('--input is required');
    if (typeof flags.labels !== 'string') throw new UsageError('--labels is required');
    const threshold = flags.threshold as number | undefined;
    if (threshold !== undefined && !(threshold > 0 && threshold < 1)) {
      throw new UsageError(`--threshold expects a number in (0,1), got ${threshold}`);
    }
    const names = String(flags.model ?? DEFAULT_DETECTOR)
      .split(',')
      .map((s) => s.trim());
    const detectors = names.map((n) => {
      const d = getDetector(n);
      if (!d) throw new UsageError(`unknown detector "${n}" (known: ${Object.keys(DETECTORS).join(', ')})`);
      return d;
    });
    const read = csvReader(flags, ctx, 'evaluate');
    const files = listLabelledFiles(flags.input);
    const windows = readWindows(flags.labels);
    const results: Record<string, { files: FileMetrics[]; overall: ReturnType<typeof overallMetrics> }> = {};
    const plots: ReportSeries[] = [];
    ctx.stdout.write(`${'file'.padEnd(58)} prec  recall f1    rocauc prauc   delay  caught  alerts nab\n`);
    for (const detector of detectors) {
      const perFile: FileMetrics[] = [];
      for (const [i, f] of files.entries()) {
        ctx.stderr.write(`evaluate: ${detector.name} ${i + 1}/${files.length} ${f.key}\n`);
        const { rows } = read.series(f.path);
        const known = windows.get(f.key) ?? [];
        const labels = labelRows(rows, known);
        const r = await replay(detector, rows, threshold, flags.supervised === true ? known : undefined);
        const m = fileMetrics(f.key, r, labels);
        perFile.push(m);
        plots.push({
          detector: detector.name,
          key: f.key,
          t: rows.map((x) => x.t),
          v: rows.map((x) => x.v),
          labels,
          ...r,
        });
        ctx.stdout.write(line(`${detector.name} ${f.key}`, m, m.incidents, '') + '\n');
      }
      const overall = overallMetrics(perFile);
      results[detector.name] = { files: perFile, overall };
      ctx.stdout.write(
        line(`${detector.name} OVERALL`, overall, overall.incidents, fmt(overall.windowedScore, 1)) + '\n',
      );
      const inc = overall.incidents;
      ctx.stdout.write(
        `${detector.name}: caught ${inc.caught} of ${inc.windows} labelled windows with ${inc.alerts} alerts, ${inc.trueAlerts} of them true (incident precision ${fmt(inc.precision)}, recall ${fmt(inc.recall)}, F1 ${fmt(inc.f1)})\n`,
      );
    }
    if (typeof flags.json === 'string') writeFileSync(flags.json, JSON.stringify(results, null, 2));
    if (typeof flags.report === 'string') writeFileSync(flags.report, anomalyReportHtml(results, plots));
    return 0;
  },
};
