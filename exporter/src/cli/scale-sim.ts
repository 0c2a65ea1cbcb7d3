/**
 * `cloudpulse scale-sim`: replay a load trace through a model of the Kubernetes HPA under each
 * scaling policy and start-up delay, and score the capacity each provided. Prints a table, and
 * writes JSON and a self-contained HTML report on request.
 */
import { writeFileSync } from 'node:fs';
import { MODELS, getModel } from '../models/index.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { SCALING_DEFAULTS } from '../scaling/defaults.js';
import { DEFAULT_PROTOCOL } from '../scaling/experiment.js';
import { POLICIES } from '../scaling/policies/index.js';
import { equalCostRatio, runScaleSim, type ScaleSimOptions, type ScaleSimResult } from '../scaling/scale-sim.js';
import { renderScalingReport, startupTable } from '../report/scaling.js';
import { textTable } from '../report/backtest.js';
import { parseFlags } from './args.js';
import { csvReader, STRICT_ORDER_FLAG, STRICT_ORDER_USAGE } from './inputs.js';
import { durationFlag, levelFlag } from './plan.js';
import { UsageError, type Command } from './types.js';

const DEFAULT_STARTUPS = [0, 30, 60, 120, 300];
const DEFAULT_HEADROOMS = [0.1, 0.25, 0.5, 1];
const DEFAULT_POLICIES = ['predictive', 'reactive', 'recent_max', 'day_ago'];

function list<T>(text: string | undefined, fallback: T[], parse: (part: string) => T, flag: string): T[] {
  if (text === undefined) return fallback;
  return text.split(',').map((part) => {
    const v = parse(part.trim());
    if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) {
      throw new UsageError(`--${flag}: cannot read "${part}"`);
    }
    return v;
  });
}

const seconds = (part: string) => (/^\d+(\.\d+)?$/.test(part) ? Number(part) : (parseDuration(part) ?? NaN));

/** JSON without the bulky per-sync timelines and load (the report plots those). */
export function resultJson(result: ScaleSimResult, extra: Record<string, unknown>): string {
  return JSON.stringify(
    {
      ...extra,
      step: result.step,
      target: result.target,
      scoreFrom: result.scoreFrom,
      reference: result.reference,
      forecast: result.forecast,
      startups: result.startups.map((s) => {
        const ref = s.runs.find((r) => r.policy === result.reference && r.headroom === 0)!;
        return {
          startup: s.startup,
          leadTime: s.leadTime,
          runs: s.runs,
          equalCost: s.equalCost.map((e) => ({ ...e, ratio: equalCostRatio(ref.score, e.score) })),
        };
      }),
    },
    null,
    2,
  );
}

export const scaleSimCommand: Command = {
  name: 'scale-sim',
  summary: 'replay a load trace through an HPA model: predictive vs reactive scaling at equal cost',
  usage: `usage: cloudpulse scale-sim --input FILE [flags]

  --input FILE        a CSV file with header timestamp,value: the load at a regular step
  --target N          per-replica target (AverageValue); default the trace's 95th percentile / 20
  --utilisation U     a ready replica serves target / U (default ${DEFAULT_PROTOCOL.utilisation})
  --unscored D        leading time not scored, warming the policies up (default ${formatDuration(DEFAULT_PROTOCOL.unscored)})
  --startup LIST      pod start-up delays to sweep (default ${DEFAULT_STARTUPS.map((s) => formatDuration(s)).join(',')})
  --policies LIST     the first is the reference the others are matched to in cost
                      (default ${DEFAULT_POLICIES.join(',')}; known: ${Object.keys(POLICIES).join(', ')})
  --headrooms LIST    extra headroom levels run for every policy (default ${DEFAULT_HEADROOMS.join(',')})
  --model NAME        forecasting model for predictive (default ${SCALING_DEFAULTS.model}; one of ${Object.keys(MODELS).join(', ')})
  --level L, --headroom F, --scale-down-half-life D, --lead-time D, --refit-interval D, --fit-window D
                      the planner settings, as for 'cloudpulse plan'
  --json FILE         write every run as JSON
  --report FILE       write a self-contained HTML report (load, ready capacity per policy, frontier)
${STRICT_ORDER_USAGE}

The HPA model: 15s sync, tolerance 0.1, scale-up at most max(4 pods, 100%) per 15s, scale-down
stabilisation 300s, pods serve after their start-up delay, the metric is the last complete step's.`,

  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'input', type: 'string' },
      { name: 'target', type: 'number' },
      { name: 'utilisation', type: 'number' },
      { name: 'unscored', type: 'string' },
      { name: 'startup', type: 'string' },
      { name: 'policies', type: 'string' },
      { name: 'headrooms', type: 'string' },
      { name: 'model', type: 'string' },
      { name: 'level', type: 'string' },
      { name: 'headroom', type: 'number' },
      { name: 'scale-down-half-life', type: 'string' },
      { name: 'lead-time', type: 'string' },
      { name: 'refit-interval', type: 'string' },
      { name: 'fit-window', type: 'string' },
      { name: 'json', type: 'string' },
      { name: 'report', type: 'string' },
      STRICT_ORDER_FLAG,
    ]);
    const input = flags.input as string | undefined;
    if (!input) throw new UsageError('--input is required');
    const target = flags.target as number | undefined;
    if (target !== undefined && !(target > 0)) throw new UsageError(`--target expects a number > 0, got "${target}"`);
    const utilisation = (flags.utilisation as number | undefined) ?? DEFAULT_PROTOCOL.utilisation;
    if (!(utilisation > 0 && utilisation <= 1))
      throw new UsageError(`--utilisation expects (0, 1], got "${utilisation}"`);
    const model = (flags.model as string | undefined) ?? SCALING_DEFAULTS.model;
    if (!getModel(model))
      throw new UsageError(`unknown model "${model}"; expected one of ${Object.keys(MODELS).join(', ')}`);
    const policies = list(flags.policies as string | undefined, DEFAULT_POLICIES, (p) => p, 'policies');
    for (const p of policies) {
      if (!Object.hasOwn(POLICIES, p))
        throw new UsageError(`unknown policy "${p}"; expected some of ${Object.keys(POLICIES).join(', ')}`);
    }
    const startups = list(flags.startup as string | undefined, DEFAULT_STARTUPS, seconds, 'startup');
    const headroom = (flags.headroom as number | undefined) ?? SCALING_DEFAULTS.headroom;
    if (!(headroom >= 0)) throw new UsageError(`--headroom expects a fraction >= 0, got "${headroom}"`);
    const options: ScaleSimOptions = {
      protocol: {
        ...DEFAULT_PROTOCOL,
        utilisation,
        unscored: durationFlag(flags, 'unscored', DEFAULT_PROTOCOL.unscored)!,
      },
      target,
      startups,
      policies,
      headrooms: list(flags.headrooms as string | undefined, DEFAULT_HEADROOMS, Number, 'headrooms'),
      model,
      plan: {
        level: levelFlag(flags.level as string | undefined, SCALING_DEFAULTS.level),
        headroom,
        scaleDownHalfLife: durationFlag(flags, 'scale-down-half-life', SCALING_DEFAULTS.scaleDownHalfLife)!,
      },
      leadTime: durationFlag(flags, 'lead-time'),
      refitInterval: durationFlag(flags, 'refit-interval', SCALING_DEFAULTS.refitInterval)!,
      fitWindow: durationFlag(flags, 'fit-window', SCALING_DEFAULTS.fitWindow)!,
      recordStartup: flags.report ? (startups.includes(60) ? 60 : startups[0]) : undefined,
    };
    const { grid } = csvReader(flags, ctx, 'scale-sim').series(input);
    const result = await runScaleSim(grid.values, grid.step, grid.start, options);
    ctx.stdout.write(
      `${input}: ${grid.values.length} steps of ${formatDuration(grid.step)}, per-replica target ${+result.target.toPrecision(6)}, ` +
        `reference ${result.reference}` +
        (result.forecast
          ? `, ${result.forecast.model}: ${result.forecast.fits} fits (${result.forecast.fitFailures} failed)`
          : '') +
        '\n',
    );
    for (const s of result.startups) {
      const t = startupTable(s, result.reference);
      ctx.stdout.write(`\nstart-up ${formatDuration(s.startup)}, lead time ${formatDuration(s.leadTime)}\n`);
      ctx.stdout.write(textTable(t.headers, t.rows));
    }
    const settings =
      `model ${model}, level ${options.plan.level === undefined ? 'point' : options.plan.level}, headroom ${headroom}, ` +
      `scale-down half-life ${formatDuration(options.plan.scaleDownHalfLife)}, lead time ${options.leadTime === undefined ? 'start-up + 15s + step' : formatDuration(options.leadTime)}, ` +
      `refit every ${formatDuration(options.refitInterval)} on ${formatDuration(options.fitWindow)}`;
    if (flags.json) writeFileSync(flags.json as string, resultJson(result, { input, settings }) + '\n');
    if (flags.report) {
      const html = renderScalingReport({
        title: `CloudPulse scale-sim: ${input}`,
        generatedAt: new Date().toISOString(),
        input,
        settings,
        utilisation,
        result,
      });
      writeFileSync(flags.report as string, html);
    }
    return 0;
  },
};
