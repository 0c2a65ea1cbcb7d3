/**
 * `cloudpulse forecast`: fit a model on each CSV and print the next N steps with bands. The
 * output contract is stable (external benchmarks call it): header `timestamp,yhat,lo80,hi80,...`
 * and exactly N rows for the N steps after the last input timestamp. Every readable file gets a
 * forecast: a model that fails on it (throws, or gives a non-finite number or a band of no width)
 * is replaced along the fallback chain (models/fallback.ts), with one line on stderr saying so.
 */
import { getModel, MODELS } from '../models/index.js';
import { calibrateOnTail } from '../models/tail-calibration.js';
import { fitWithFallback } from '../models/fallback.js';
import { forecastProblem } from '../models/forecast-check.js';
import type { CsvSeries } from '../series/csv.js';
import { parseFlags, parseLevels, requirePositiveInt } from './args.js';
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

const pct = (level: number) => String(+(level * 100).toFixed(4));

/** Future timestamps written in the style of the input's (unix seconds or UTC date-time). */
export function timestampFormatter(example: string): (t: number) => string {
  if (/^-?\d+(\.\d+)?$/.test(example.trim())) return (t) => String(Math.round(t * 1000) / 1000);
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(example.trim())) {
    return (t) => new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  return (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(+v.toPrecision(10)) : '';
}

export async function forecastRows(
  { file, firstTimestamp, grid }: CsvSeries,
  model: string,
  horizon: number,
  levels: number[],
  warn: (message: string) => void = () => {},
): Promise<string> {
  // bands calibrated on the input's own last day (auto and ensemble do this themselves)
  const series = { values: grid.values, start: grid.start, step: grid.step };
  const fit = await fitWithFallback(model, series, { horizon, levels, fit: calibrateOnTail });
  if (fit.fellBackFrom) warn(`${file}: served ${fit.served} instead (${fit.reason})`);
  const f = fit.model.forecast(horizon, levels);
  // never print numbers that hide a failure: an empty cell or a zero-width band would (the
  // chain checked the same forecast, so this holds unless a model is not deterministic)
  const problem = forecastProblem(grid.values, f);
  if (problem) throw new Error(`${file}: model ${fit.served} gave ${problem}; nothing printed for this file`);
  const fmt = timestampFormatter(firstTimestamp);
  const last = grid.start + (grid.values.length - 1) * grid.step;
  const header = ['timestamp', 'yhat', ...levels.flatMap((l) => [`lo${pct(l)}`, `hi${pct(l)}`])].join(',');
  const lines = [header];
  for (let i = 0; i < horizon; i++) {
    const cells = [fmt(last + (i + 1) * grid.step), formatNumber(f.point[i])];
    for (const iv of f.intervals) cells.push(formatNumber(iv.lower[i]), formatNumber(iv.upper[i]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

export const forecastCommand: Command = {
  name: 'forecast',
  summary: 'forecast CSV series offline: N steps with prediction intervals',
  usage: `usage: cloudpulse forecast --input PATH --horizon N [--levels 80,95] [--model NAME] [--output PATH]

  --input PATH     a CSV file with header timestamp,value (unix seconds or ISO-8601 / "YYYY-MM-DD HH:MM:SS" UTC),
                   or a directory of them (searched recursively)
  --horizon N      number of steps to forecast after the last input timestamp
  --levels L       interval levels in percent (default 80,95)
  --model NAME     one of: ${Object.keys(MODELS).join(', ')} (default auto)
  --output PATH    output file (or directory when --input is a directory); default stdout
${STRICT_ORDER_USAGE}

Output: CSV with header timestamp,yhat,lo80,hi80,lo95,hi95 (one lo/hi pair per level), N rows.`,

  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'input', type: 'string' },
      { name: 'horizon', type: 'number' },
      { name: 'levels', type: 'string' },
      { name: 'model', type: 'string' },
      { name: 'output', type: 'string' },
      STRICT_ORDER_FLAG,
    ]);
    const input = flags.input as string | undefined;
    if (!input) throw new UsageError('--input is required');
    const horizon = requirePositiveInt(flags, 'horizon');
    const levels = parseLevels(flags.levels as string | undefined);
    const model = (flags.model as string | undefined) ?? 'auto';
    if (!getModel(model))
      throw new UsageError(`unknown model "${model}"; expected one of ${Object.keys(MODELS).join(', ')}`);
    const { inputs, isDirectory } = listCsvInputs(input);
    const output = flags.output as string | undefined;
    if (isDirectory && !output) throw new UsageError('--output DIR is required when --input is a directory');
    const read = csvReader(flags, ctx, 'forecast');
    const tick = progress(ctx, inputs.length, `forecast ${model}`);
    const writer = new ResultWriter(ctx, output, isDirectory);
    let failed = 0;
    for (const [i, item] of inputs.entries()) {
      try {
        const warn = (message: string) => ctx.stderr.write(`cloudpulse forecast: ${message}\n`);
        await writer.write(item, await forecastRows(read.series(item.path), model, horizon, levels, warn));
      } catch (err) {
        failed++;
        ctx.stderr.write(`cloudpulse forecast: ${inputError(item.path, err)}\n`);
      }
      tick(i + 1);
    }
    failed += await writer.close('forecast');
    if (failed > 0 && isDirectory)
      ctx.stderr.write(`cloudpulse forecast: ${failed} of ${inputs.length} files failed\n`);
    return failed > 0 ? 1 : 0;
  },
};
