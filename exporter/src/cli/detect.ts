/**
 * `cloudpulse detect`: replay CSV series through a detector, one score per input row. Strictly
 * causal in time: timestamps are fed in time order through the same SeriesScorer the live
 * exporter uses, so the score at a timestamp depends only on rows at or before it.
 */
import { DEFAULT_DETECTOR, DETECTORS, getDetector } from '../detectors/index.js';
import type { CsvSeries } from '../series/csv.js';
import { readWindows, windowsFor, type Window } from '../evaluation/nab-layout.js';
import { parseFlags } from './args.js';
import {
  csvReader,
  inputError,
  listCsvInputs,
  progress,
  ResultWriter,
  STRICT_ORDER_FLAG,
  STRICT_ORDER_USAGE,
} from './inputs.js';
import { UsageError, type Command } from './types.js';

/**
 * The step is the reader's, measured on a prefix of the file, so the replay stays causal. Each
 * timestamp is scored once, on the value the reader keeps for it (the last number of a repeated
 * one); every row gets its timestamp's score, and the output keeps the rows in file order (one
 * line per input line, as NAB's scorer expects) even where the reader sorted them.
 */
export async function detectRows(
  { rows, grid }: CsvSeries,
  detector: string,
  threshold?: number,
  labels?: readonly Window[],
): Promise<string> {
  const step = grid.step;
  const scorer = getDetector(detector)!.create({ step, threshold, labels });
  const scores = new Float64Array(rows.length);
  const flags = new Uint8Array(rows.length);
  let lastT = -Infinity;
  for (let i = 0; i < rows.length;) {
    const t = rows[i].t;
    let end = i + 1;
    while (end < rows.length && rows[end].t === t) end++;
    // let the scorer see skipped grid slots as gaps so its seasonal position stays right
    if (Number.isFinite(lastT)) {
      const missing = Math.round((t - lastT) / step) - 1;
      for (let k = 1; k <= Math.min(missing, 10_000); k++) scorer.score(lastT + k * step, NaN);
    }
    // a detector that fits in the background is awaited, so the replay does not depend on timing
    await scorer.pending?.();
    const { score, isAnomaly } = scorer.score(t, keptValue(rows, i, end));
    for (let k = i; k < end; k++) {
      scores[k] = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
      flags[k] = isAnomaly ? 1 : 0;
    }
    lastT = t;
    i = end;
  }
  const asWritten = rows.map((_, k) => k).sort((a, b) => rows[a].line - rows[b].line);
  const lines = ['timestamp,value,anomaly_score,is_anomaly'];
  for (const k of asWritten) {
    const row = rows[k];
    lines.push(`${row.raw},${Number.isFinite(row.v) ? row.v : ''},${+scores[k].toFixed(6)},${flags[k]}`);
  }
  return lines.join('\n') + '\n';
}

/** The value kept for rows[from..to) (one timestamp): the last finite one, as the grid keeps. */
function keptValue(rows: CsvSeries['rows'], from: number, to: number): number {
  for (let k = to - 1; k >= from; k--) if (Number.isFinite(rows[k].v)) return rows[k].v;
  return rows[from].v;
}

export const detectCommand: Command = {
  name: 'detect',
  summary: 'score CSV series for anomalies offline (causal replay, same code as live)',
  usage: `usage: cloudpulse detect --input PATH [--model NAME] [--threshold X] [--labels FILE] [--output PATH]

  --input PATH     a CSV file with header timestamp,value, or a directory of them (recursive)
  --model NAME     detector, one of: ${Object.keys(DETECTORS).join(', ')} (default ${DEFAULT_DETECTOR})
  --threshold X    score at or above which a point is anomalous (default: the detector's)
  --labels FILE    known incidents, as \`evaluate --labels\` reads ({"category/file.csv": [[start, end], ...]},
                   matched by path under --input, else by file name): random_forest learns from
                   each window once it has ended (the replay stays causal); other detectors ignore it
  --output PATH    output file (or directory when --input is a directory); default stdout
${STRICT_ORDER_USAGE}

Output: CSV with header timestamp,value,anomaly_score,is_anomaly, one row per input row in input
order, timestamps and values echoed. Timestamps are scored in time order; rows of a repeated
timestamp all get the score of its kept (last) number.`,

  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'input', type: 'string' },
      { name: 'model', type: 'string' },
      { name: 'threshold', type: 'number' },
      { name: 'labels', type: 'string' },
      { name: 'output', type: 'string' },
      STRICT_ORDER_FLAG,
    ]);
    const input = flags.input as string | undefined;
    if (!input) throw new UsageError('--input is required');
    const detector = (flags.model as string | undefined) ?? DEFAULT_DETECTOR;
    if (!getDetector(detector)) {
      throw new UsageError(`unknown detector "${detector}"; expected one of ${Object.keys(DETECTORS).join(', ')}`);
    }
    const threshold = flags.threshold as number | undefined;
    if (threshold !== undefined && !(threshold > 0 && threshold < 1)) {
      throw new UsageError(`--threshold expects a number between 0 and 1, got ${threshold}`);
    }
    let labels: Map<string, Window[]> | undefined;
    if (typeof flags.labels === 'string') {
      try {
        labels = readWindows(flags.labels);
      } catch (err) {
        throw new UsageError(`--labels ${(err as Error).message}`);
      }
    }
    const { inputs, isDirectory } = listCsvInputs(input);
    const output = flags.output as string | undefined;
    if (isDirectory && !output) throw new UsageError('--output DIR is required when --input is a directory');
    const read = csvReader(flags, ctx, 'detect');
    const tick = progress(ctx, inputs.length, `detect ${detector}`);
    const writer = new ResultWriter(ctx, output, isDirectory);
    let failed = 0;
    for (const [i, item] of inputs.entries()) {
      try {
        const known = labels ? windowsFor(labels, item.relative) : undefined;
        await writer.write(item, await detectRows(read.series(item.path), detector, threshold, known));
      } catch (err) {
        failed++;
        ctx.stderr.write(`cloudpulse detect: ${inputError(item.path, err)}\n`);
      }
      tick(i + 1);
    }
    failed += await writer.close('detect');
    if (failed > 0 && isDirectory) ctx.stderr.write(`cloudpulse detect: ${failed} of ${inputs.length} files failed\n`);
    return failed > 0 ? 1 : 0;
  },
};
