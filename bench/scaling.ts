/**
 * `npm run bench:scaling`: every trace in shared/datasets/scaling through `scale-sim` with the
 * README's protocol (per-replica target = 95th percentile / 20, first day unscored, 60 s start-up,
 * utilisation 0.8). Reports, as geometric means over the traces of under-provisioned minutes
 * (+1 minute each, so a zero stays finite):
 *   - the simple rules against the reactive HPA at the rule's own cost (the README's check),
 *   - CloudPulse's predictive policy against the reactive HPA and each rule at predictive's cost,
 *   - the planner without a forecast (its scale-down limit alone), to show what the forecast adds,
 * and the time `cloudpulse plan` takes on the largest trace. Prints tables and writes
 * bench/results/scaling.json. Usage: tsx bench/scaling.ts [--data DIR] [trace-name-substring]
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvFile, toGrid } from '../exporter/src/series/csv.js';
import { planRows } from '../exporter/src/cli/plan.js';
import { defaultLeadTime, plannerPolicy, SCALING_DEFAULTS } from '../exporter/src/scaling/defaults.js';
import { DEFAULT_PROTOCOL, geometricMean, matchCost, traceWorkload } from '../exporter/src/scaling/experiment.js';
import type { ForecastTrack } from '../exporter/src/scaling/forecast-replay.js';
import { DEFAULT_HPA, simulateHpa } from '../exporter/src/scaling/hpa.js';
import { POLICIES } from '../exporter/src/scaling/policies/index.js';
import { equalCostRatio, runScaleSim, type ScaleSimOptions } from '../exporter/src/scaling/scale-sim.js';
import { textTable } from '../exporter/src/report/backtest.js';

const dataFlag = process.argv.indexOf('--data');
const DATA = dataFlag > 0 ? process.argv[dataFlag + 1] : join(import.meta.dirname, '../../shared/datasets/scaling');
const RESULTS = join(import.meta.dirname, 'results');
const STARTUP = 60;
const SWEEP = [0, 30, 60, 120, 300];
const only = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--data');

const base: Omit<ScaleSimOptions, 'policies'> = {
  protocol: DEFAULT_PROTOCOL,
  startups: [STARTUP],
  headrooms: [],
  model: SCALING_DEFAULTS.model,
  plan: {
    level: SCALING_DEFAULTS.level,
    headroom: SCALING_DEFAULTS.headroom,
    scaleDownHalfLife: SCALING_DEFAULTS.scaleDownHalfLife,
  },
  refitInterval: SCALING_DEFAULTS.refitInterval,
  fitWindow: SCALING_DEFAULTS.fitWindow,
};

interface TraceResult {
  trace: string;
  steps: number;
  target: number;
  /** under-provisioned minutes of each policy at its own cost, and replica-minutes / reactive's */
  own: Record<string, { upm: number; cost: number }>;
  /** the README's check: rule / reactive at the rule's cost */
  ruleVsReactive: Record<string, number>;
  /** predictive / other at predictive's cost, and the other's headroom needed */
  predictiveVs: Record<string, { ratio: number; upm: number; headroom: number }>;
  /** the planner with no forecast (observed load + scale-down limit) / reactive at its cost */
  plannerOnlyVsReactive: number;
  /** predictive / other at predictive's cost for every start-up delay, and predictive's cost / reactive's */
  sweep: { startup: number; vs: Record<string, number>; cost: number }[];
}

/** The predictive policy fed no forecast (the observed load and the scale-down limit alone) / reactive at its cost. */
function plannerOnly(load: Float64Array, step: number): number {
  const work = traceWorkload(load, step, DEFAULT_PROTOCOL);
  const hpa = { ...DEFAULT_HPA, startupDelay: STARTUP };
  const leadTime = defaultLeadTime(step, STARTUP);
  const none = new Float64Array(load.length);
  const forecasts: ForecastTrack = {
    step,
    horizon: 1,
    levels: [],
    observed: load,
    point: none.fill(NaN),
    lower: [],
    upper: [],
    fits: 0,
    fitFailures: 0,
    fitSeconds: 0,
  };
  const planner = plannerPolicy({ ...base.plan, leadTime }, step);
  const metric = POLICIES.predictive.metric({ load, step, leadTime, forecasts, planner });
  const own = simulateHpa(work, metric, hpa).score;
  const reactive = matchCost(work, POLICIES.reactive.metric({ load, step, leadTime }), hpa, own.replicaMinutes);
  return equalCostRatio(own, reactive.score);
}

async function trace(file: string): Promise<TraceResult> {
  const { rows } = readCsvFile(join(DATA, file));
  const grid = toGrid(
    rows.map((r) => r.t),
    rows.map((r) => r.v),
    file,
  );
  const run = (policies: string[], extra: Partial<ScaleSimOptions> = {}) =>
    runScaleSim(grid.values, grid.step, grid.start, { ...base, ...extra, policies }).then((r) => r.startups[0]);
  const sweep = await runScaleSim(grid.values, grid.step, grid.start, {
    ...base,
    startups: SWEEP,
    policies: ['predictive', 'reactive', 'recent_max', 'day_ago'],
  });
  const main = sweep.startups.find((s) => s.startup === STARTUP)!;
  const own = (policy: string) => main.runs.find((r) => r.policy === policy && r.headroom === 0)!.score;
  const reactiveCost = own('reactive').replicaMinutes;
  const result: TraceResult = {
    trace: file.replace(/\.csv$/, ''),
    steps: grid.values.length,
    target: traceWorkload(grid.values, grid.step, DEFAULT_PROTOCOL).target,
    own: {},
    ruleVsReactive: {},
    predictiveVs: {},
    plannerOnlyVsReactive: NaN,
    sweep: sweep.startups.map((s) => {
      const ref = s.runs.find((r) => r.policy === 'predictive' && r.headroom === 0)!.score;
      return {
        startup: s.startup,
        vs: Object.fromEntries(s.equalCost.map((e) => [e.policy, equalCostRatio(ref, e.score)])),
        cost:
          ref.replicaMinutes / s.runs.find((r) => r.policy === 'reactive' && r.headroom === 0)!.score.replicaMinutes,
      };
    }),
  };
  for (const p of ['predictive', 'reactive', 'recent_max', 'day_ago']) {
    result.own[p] = { upm: own(p).underProvisionedMinutes, cost: own(p).replicaMinutes / reactiveCost };
  }
  for (const e of main.equalCost) {
    result.predictiveVs[e.policy] = {
      ratio: equalCostRatio(own('predictive'), e.score),
      upm: e.score.underProvisionedMinutes,
      headroom: e.headroom,
    };
  }
  for (const rule of ['recent_max', 'day_ago']) {
    const s = await run([rule, 'reactive']);
    result.ruleVsReactive[rule] = equalCostRatio(s.runs[0].score, s.equalCost[0].score);
  }
  result.plannerOnlyVsReactive = plannerOnly(grid.values, grid.step);
  return result;
}

/** Wall time of `cloudpulse plan` with the defaults on the largest trace, beside the time to read it. */
async function planTiming(files: string[]) {
  const largest = files.map((f) => ({ f, size: statSync(join(DATA, f)).size })).sort((a, b) => b.size - a.size)[0];
  if (!largest) return undefined;
  const t0 = performance.now();
  const { rows } = readCsvFile(join(DATA, largest.f));
  const readSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await planRows(rows, largest.f, {
    model: SCALING_DEFAULTS.model,
    target: 1,
    startup: SCALING_DEFAULTS.startup,
    ...base.plan,
    refitInterval: SCALING_DEFAULTS.refitInterval,
    fitWindow: SCALING_DEFAULTS.fitWindow,
  });
  return { trace: largest.f, rows: rows.length, seconds: (performance.now() - t1) / 1000 + readSeconds, readSeconds };
}

async function main() {
  const files = readdirSync(DATA)
    .filter((f) => f.endsWith('.csv') && (!only || f.includes(only)))
    .sort();
  const results: TraceResult[] = [];
  for (const f of files) {
    const t0 = performance.now();
    results.push(await trace(f));
    process.stderr.write(`bench:scaling ${f} ${((performance.now() - t0) / 1000).toFixed(1)}s\n`);
  }
  const num = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const vs = (r: TraceResult, p: string) => r.predictiveVs[p].ratio;
  const perTraceBest = (r: TraceResult) => Math.max(vs(r, 'recent_max'), vs(r, 'day_ago'));
  const columns: [string, (r: TraceResult) => number, number, boolean][] = [
    // header, value, digits, geometric mean in the last row
    ['reactive UPM', (r) => r.own.reactive.upm, 1, false],
    ['pred UPM', (r) => r.own.predictive.upm, 1, false],
    ['pred cost', (r) => r.own.predictive.cost, 2, true],
    ['reactive@pc', (r) => r.predictiveVs.reactive.upm, 1, false],
    ['recent_max@pc', (r) => r.predictiveVs.recent_max.upm, 1, false],
    ['day_ago@pc', (r) => r.predictiveVs.day_ago.upm, 1, false],
    ['pred/reactive', (r) => vs(r, 'reactive'), 3, true],
    ['pred/recent_max', (r) => vs(r, 'recent_max'), 3, true],
    ['pred/day_ago', (r) => vs(r, 'day_ago'), 3, true],
    ['pred/best rule', perTraceBest, 3, true],
    ['recent_max/react', (r) => r.ruleVsReactive.recent_max, 3, true],
    ['day_ago/react', (r) => r.ruleVsReactive.day_ago, 3, true],
    ['no-forecast/react', (r) => r.plannerOnlyVsReactive, 3, true],
  ];
  const gm = (pick: (r: TraceResult) => number) => geometricMean(results.map(pick));
  const rows = results.map((r) => [r.trace, ...columns.map(([, pick, d]) => num(pick(r), d))]);
  rows.push(['geometric mean', ...columns.map(([, pick, d, mean]) => (mean ? num(gm(pick), d) : ''))]);
  const headers = ['trace', ...columns.map(([h]) => h)];
  process.stdout.write(textTable(headers, rows));
  // the better rule is the one with fewer under-provisioned minutes at predictive's cost over all traces
  const rules = ['recent_max', 'day_ago'].map((p) => ({
    p,
    gm: gm((r) => (r.predictiveVs[p].upm + 1) / (r.predictiveVs.reactive.upm + 1)),
  }));
  const better = rules.reduce((a, b) => (b.gm < a.gm ? b : a));
  const summary = {
    predictiveVsReactive: gm((r) => vs(r, 'reactive')),
    betterRule: better.p,
    predictiveVsBetterRule: gm((r) => vs(r, better.p)),
    predictiveVsPerTraceBestRule: gm(perTraceBest),
  };
  process.stdout.write(
    `\nUPM = under-provisioned minutes after the first day, @pc = at predictive's replica-minutes; ratios are (a + 1) / (b + 1).\n` +
      `predictive / reactive at equal cost: ${num(summary.predictiveVsReactive)} (target <= 0.5)\n` +
      `predictive / better rule (${better.p}) at equal cost: ${num(summary.predictiveVsBetterRule)} (target <= 0.8); ` +
      `against the better rule chosen per trace: ${num(summary.predictiveVsPerTraceBestRule)}\n`,
  );
  const sweepRows = SWEEP.map((startup, k) => {
    const at = (r: TraceResult) => r.sweep[k];
    return [
      `${startup}s`,
      num(
        gm((r) => at(r).cost),
        2,
      ),
      ...['reactive', 'recent_max', 'day_ago'].map((p) => num(gm((r) => at(r).vs[p]))),
      num(gm((r) => Math.max(at(r).vs.recent_max, at(r).vs.day_ago))),
    ];
  });
  process.stdout.write(
    "\nstart-up sweep (geometric means over the traces, at predictive's cost):\n" +
      textTable(
        ['start-up', 'pred cost', 'pred/reactive', 'pred/recent_max', 'pred/day_ago', 'pred/best rule'],
        sweepRows,
      ),
  );
  const timing = await planTiming(files);
  if (timing) {
    process.stdout.write(
      `\ncloudpulse plan on ${timing.trace} (${timing.rows} rows, model ${SCALING_DEFAULTS.model}): ${timing.seconds.toFixed(1)}s ` +
        `(reading the CSV alone: ${timing.readSeconds.toFixed(2)}s; machine shared with other jobs)\n`,
    );
  }
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, 'scaling.json'),
    JSON.stringify(
      { date: new Date().toISOString(), defaults: SCALING_DEFAULTS, results, planTiming: timing },
      null,
      2,
    ),
  );
}

await main();
