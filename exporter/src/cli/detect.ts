/**
 * `cloudpulse detect`: replay CSV series through a detector, one score per input row. Strictly
 * causal: rows are fed in order through the same SeriesScorer the live exporter uses, so row i's
 * score depends only on rows 0..i.
 */
import { DETECTORS, getDetector } from '../detectors/index.js';
import { readCsvSeries, type CsvSeries } from '../series/csv.js';
import { readWindows, windowsFor, type Window } from '../evaluation/nab-layout.js';
import { parseFlags } from './args.js';
import { inputError, listCsvInputs, progress, ResultWriter } from './inputs.js';
import { UsageError, type Command } from './types.js';

/** The step is the reader's, measured on a prefix of the file, so the replay stays causal. */
export async function detectRows(
  { rows, grid }: CsvSeries,
  detector: string,
  threshold?: number,
  labels?: readonly Window[],
): Promise<string> {
  const step = grid.step;
  const scorer = getDetector(detector)!.create({ step, threshold, labels });
  const lines = ['timestamp,value,anomaly_score,is_anomaly'];
  let lastT = -Infinity;
  let last = { score: 0, isAnomaly: false };
  for (const row of rows) {
    if (row.t > lastT) {
      // let the scorer see skipped grid slots as gaps so its seasonal position stays right
      if (Number.isFinite(lastT)) {
        const missing = Math.round((row.t - lastT) / step) - 1;
        for (let k = 1; k <= Math.min(missing, 10_000); k++) scorer.score(lastT + k * step, NaN);
      }
      // a detector that fits in the background is awaited, so the replay does not depend on timing
      await scorer.pending?.();
      last = scorer.score(row.t, row.v);
      lastT = row.t;
    }
    // a duplicate timestamp repeats the score of its slot
    const score = Number.isFinite(last.score) ? Math.min(1, Math.max(0, last.score)) : 0;
    lines.push(`${row.raw},${Number.isFinite(row.v) ? row.v : ''},${+score.toFixed(6)},${last.isAnomaly ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

export const detectCommand: Command = {
  name: 'detect',
  summary: 'score CSV series for anomalies offline (causal replay, same code as live)',
  usage: `usage: cloudpulse detect --input PATH [--model NAME] [--threshold X] [--labels FILE] [--output PATH]

  --input PATH     a CSV file with header timestamp,value, or a directory of them (recursive)
  --model NAME     detector, one of: ${Object.keys(DETECTORS).join(', ')} (default residual)
  --threshold X    score at or above which a point is anomalous (default: the detector's)
  --labels FILE    known incidents, as \`evaluate --labels\` reads ({"category/file.csv": [[start, end], ...]},
                   matched by path under --input, else by file name): random_forest learns from
                   each window once it has ended (the replay stays causal); other detectors ignore it
  --output PATH    output file (or directory when --input is a directory); default stdout

Output: CSV with header timestamp,value,anomaly_score,is_anomaly, one row per input row.`,

  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'input', type: 'string' },
      { name: 'model', type: 'string' },
      { name: 'threshold', type: 'number' },
      { name: 'labels', type: 'string' },
      { name: 'output', type: 'string' },
    ]);
    const input = flags.input as string | undefined;
    if (!input) throw new UsageError('--input is required');
    const detector = (flags.model as string | undefined) ?? 'residual';
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
    const tick = progress(ctx, inputs.length, `detect ${detector}`);
    const writer = new ResultWriter(ctx, output, isDirectory);
    let failed = 0;
    for (const [i, item] of inputs.entries()) {
      try {
        const known = labels ? windowsFor(labels, item.relative) : undefined;
        await writer.write(item, await detectRows(readCsvSeries(item.path), detector, threshold, known));
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
