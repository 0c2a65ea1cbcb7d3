/**
 * `cloudpulse plan`: replay a recorded series through the live scaler's forecast and planner and
 * write the scale metric after every row. The contract is stable (external benchmarks call it):
 * header `timestamp,value,scale_metric`, one row per input row with its timestamp echoed, and row
 * i computed from rows 0..i only. With `metricType: AverageValue` and target N, the HPA's desired
 * replicas are ceil(scale_metric / N).
 */
import { getModel, MODELS } from '../models/index.js';
import { toGrid, type CsvRow } from '../series/csv.js';
import { parseDuration, formatDuration } from '../util/duration.js';
import { defaultLeadTime, plannerPolicy, SCALING_DEFAULTS, type PlanSettings } from '../scaling/defaults.js';
import { planTrack, replayForecasts } from '../scaling/forecast-replay.js';
import { checkPolicy, leadSteps, PlannerError, planScaleMetric } from '../scaling/planner.js';
import { parseFlags, type ParsedFlags } from './args.js';
import { csvReader, listCsvInputs, progress, ResultWriter, STRICT_ORDER_FLAG, STRICT_ORDER_USAGE } from './inputs.js';
import { UsageError, type Command } from './types.js';

export function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(+v.toPrecision(10)) : '';
}

/** A duration flag ("5m", "90s" or plain seconds) in seconds, or the fallback. */
export function durationFlag(flags: ParsedFlags, name: string, fallback?: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return fallback;
  const seconds =
    typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(v as string) ? Number(v) : parseDuration(v as string);
  if (seconds === undefined || !(seconds >= 0))
    throw new UsageError(`--${name} expects a duration such as 90s or 5m, got "${v}"`);
  return seconds;
}

/** "90" or "0.9" -> 0.9; "point" -> undefined (the point forecast) */
export function levelFlag(text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  if (text === 'point') return undefined;
  const n = Number(text);
  const level = n >= 1 ? n / 100 : n;
  if (!(level > 0 && level < 1))
    throw new UsageError(`--level expects a percentage such as 90, or "point", got "${text}"`);
  return level;
}

export interface PlanOptions {
  model: string;
  target: number;
  /** seconds; undefined = start-up + one HPA sync + one scrape */
  leadTime?: number;
  startup: number;
  level?: number;
  headroom: number;
  scaleDownHalfLife: number;
  refitInterval: number;
  fitWindow: number;
}

export interface PlanOutput {
  csv: string;
  rows: number;
  step: number;
  leadTime: number;
  fits: number;
  fitFailures: number;
  fitSeconds: number;
}

/** Indices of `rows` (in time order, as the reader gives them) in the order the file wrote them. */
function fileOrder(rows: CsvRow[]): number[] {
  return rows.map((_, i) => i).sort((a, b) => rows[a].line - rows[b].line);
}

/** `rows` in time order (the reader's); the output keeps one line per row in file order. */
export async function planRows(rows: CsvRow[], file: string, o: PlanOptions): Promise<PlanOutput> {
  // one timestamp has no step and no forecast: the planner serves the load seen (with headroom),
  // exactly what the first row of any longer file gets, so truncation stays causal
  if (rows.length > 0 && rows.every((r) => r.t === rows[0].t)) {
    const lines = ['timestamp,value,scale_metric'];
    for (const r of rows) {
      const m = planScaleMetric({ observed: r.v, step: 1 }, { leadTime: 0, headroom: o.headroom }).value;
      lines.push(`${r.raw},${formatNumber(r.v)},${formatNumber(m)}`);
    }
    return {
      csv: lines.join('\n') + '\n',
      rows: rows.length,
      step: NaN,
      leadTime: NaN,
      fits: 0,
      fitFailures: 0,
      fitSeconds: 0,
    };
  }
  const grid = toGrid(
    rows.map((r) => r.t),
    rows.map((r) => r.v),
    file,
  );
  const leadTime = o.leadTime ?? defaultLeadTime(grid.step, o.startup);
  const settings: PlanSettings = {
    leadTime,
    level: o.level,
    headroom: o.headroom,
    scaleDownHalfLife: o.scaleDownHalfLife,
  };
  const policy = plannerPolicy(settings, grid.step);
  try {
    checkPolicy(policy);
  } catch (err) {
    if (err instanceof PlannerError) throw new UsageError(err.message);
    throw err;
  }
  const track = await replayForecasts(
    { step: grid.step, start: grid.start, slots: grid.rowIndex, values: rows.map((r) => r.v) },
    {
      model: getModel(o.model)!,
      horizon: Math.max(1, leadSteps(leadTime, grid.step)),
      levels: o.level === undefined ? [] : [o.level],
      fitWindow: Math.max(2, Math.round(o.fitWindow / grid.step)),
      refitEvery: Math.max(1, Math.round(o.refitInterval / grid.step)),
    },
  );
  const metric = planTrack(track, policy);
  const lines = ['timestamp,value,scale_metric'];
  for (const i of fileOrder(rows)) lines.push(`${rows[i].raw},${formatNumber(rows[i].v)},${formatNumber(metric[i])}`);
  return {
    csv: lines.join('\n') + '\n',
    rows: rows.length,
    step: grid.step,
    leadTime,
    fits: track.fits,
    fitFailures: track.fitFailures,
    fitSeconds: track.fitSeconds,
  };
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'replay a CSV series through the predictive scaler: the scale metric after every row',
  usage: `usage: cloudpulse plan --input FILE --target N [--lead-time 5m] [--model NAME] [--output FILE] [flags]

  --input FILE      a CSV file with header timestamp,value at a regular step (or a directory of them)
  --target N        the ScaledObject's per-replica target (metricType: AverageValue)
  --lead-time D     how far ahead to cover: pod start-up + one HPA sync + one scrape
                    (default ${SCALING_DEFAULTS.startup}s + ${SCALING_DEFAULTS.syncPeriod}s + the series' step)
  --model NAME      one of: ${Object.keys(MODELS).join(', ')} (default ${SCALING_DEFAULTS.model})
  --output FILE     output file (or directory when --input is a directory); default stdout
  --level L         plan on the upper bound of the L% band, or "point" (default ${(SCALING_DEFAULTS.level ?? 0) * 100})
  --headroom F      extra capacity as a fraction, e.g. 0.1 (default ${SCALING_DEFAULTS.headroom})
  --scale-down-half-life D
                    after a peak the metric halves at most once per D; 0 = no limit (default ${formatDuration(SCALING_DEFAULTS.scaleDownHalfLife)})
  --refit-interval D, --fit-window D
                    refit the model every D on the last D of history (default ${formatDuration(SCALING_DEFAULTS.refitInterval)}, ${formatDuration(SCALING_DEFAULTS.fitWindow)}),
                    updating it with every new point in between, as the exporter does
${STRICT_ORDER_USAGE}

Output: CSV with header timestamp,value,scale_metric, one row per input row in input order, timestamps
echoed. Row i uses rows 0..i only (in time order, where the reader sorted the file). Desired replicas =
ceil(scale_metric / N).`,

  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'input', type: 'string' },
      { name: 'target', type: 'number' },
      { name: 'lead-time', type: 'string' },
      { name: 'model', type: 'string' },
      { name: 'output', type: 'string' },
      { name: 'level', type: 'string' },
      { name: 'headroom', type: 'number' },
      { name: 'scale-down-half-life', type: 'string' },
      { name: 'refit-interval', type: 'string' },
      { name: 'fit-window', type: 'string' },
      STRICT_ORDER_FLAG,
    ]);
    const input = flags.input as string | undefined;
    if (!input) throw new UsageError('--input is required');
    const target = flags.target as number | undefined;
    if (target === undefined) throw new UsageError('--target is required');
    if (!(target > 0)) throw new UsageError(`--target expects a number > 0, got "${target}"`);
    const model = (flags.model as string | undefined) ?? SCALING_DEFAULTS.model;
    if (!getModel(model))
      throw new UsageError(`unknown model "${model}"; expected one of ${Object.keys(MODELS).join(', ')}`);
    const headroom = (flags.headroom as number | undefined) ?? SCALING_DEFAULTS.headroom;
    if (!(headroom >= 0)) throw new UsageError(`--headroom expects a fraction >= 0, got "${headroom}"`);
    const options: PlanOptions = {
      model,
      target,
      leadTime: durationFlag(flags, 'lead-time'),
      startup: SCALING_DEFAULTS.startup,
      level: levelFlag(flags.level as string | undefined, SCALING_DEFAULTS.level),
      headroom,
      scaleDownHalfLife: durationFlag(flags, 'scale-down-half-life', SCALING_DEFAULTS.scaleDownHalfLife)!,
      refitInterval: durationFlag(flags, 'refit-interval', SCALING_DEFAULTS.refitInterval)!,
      fitWindow: durationFlag(flags, 'fit-window', SCALING_DEFAULTS.fitWindow)!,
    };
    const { inputs, isDirectory } = listCsvInputs(input);
    const output = flags.output as string | undefined;
    if (isDirectory && !output) throw new UsageError('--output DIR is required when --input is a directory');
    const read = csvReader(flags, ctx, 'plan');
    const tick = progress(ctx, inputs.length, `plan ${model}`);
    const writer = new ResultWriter(ctx, output, isDirectory);
    let failed = 0;
    for (const [i, item] of inputs.entries()) {
      try {
        const t0 = performance.now();
        const { rows } = read.file(item.path, { short: true });
        const result = await planRows(rows, item.path, options);
        await writer.write(item, result.csv);
        if (output) {
          const secs = ((performance.now() - t0) / 1000).toFixed(1);
          ctx.stderr.write(
            `cloudpulse plan: ${item.path}: ${result.rows} rows at ${formatDuration(result.step)}, lead time ${formatDuration(result.leadTime)}, ` +
              `${result.fits} fits (${result.fitFailures} failed), ${secs}s\n`,
          );
        }
      } catch (err) {
        if (err instanceof UsageError) throw err;
        failed++;
        ctx.stderr.write(`cloudpulse plan: ${(err as Error).message}\n`);
      }
      tick(i + 1);
    }
    failed += await writer.close('plan');
    if (failed > 0 && isDirectory) ctx.stderr.write(`cloudpulse plan: ${failed} of ${inputs.length} files failed\n`);
    return failed > 0 ? 1 : 0;
  },
};
