/**
 * How `cloudpulse plan`'s defaults were chosen: every configuration of the grid below (model, band,
 * scale-down half-life, headroom, lead time) replayed on every trace of shared/datasets/scaling with
 * bench:scaling's protocol, then leave-one-trace-out selection (choose on 7 traces, score the 8th).
 * Criterion: the worse of (predictive / reactive) / 0.5 and (predictive / better rule) / 0.8, both
 * geometric means at equal cost, i.e. the issue's two targets. Takes about 15-30 minutes on a
 * shared 2-core machine. Prints the best configurations and the out-of-sample figures, writes
 * bench/results/scaling-validate.json. Usage: tsx bench/scaling-validate.ts [--data DIR]
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getModel } from '../exporter/src/models/index.js';
import { readCsvFile, toGrid } from '../exporter/src/series/csv.js';
import { defaultLeadTime, plannerPolicy } from '../exporter/src/scaling/defaults.js';
import { DEFAULT_PROTOCOL, geometricMean, matchCost, traceWorkload } from '../exporter/src/scaling/experiment.js';
import { replayForecasts, type ForecastTrack } from '../exporter/src/scaling/forecast-replay.js';
import { DEFAULT_HPA, simulateHpa } from '../exporter/src/scaling/hpa.js';
import { POLICIES } from '../exporter/src/scaling/policies/index.js';

const dataFlag = process.argv.indexOf('--data');
const DATA = dataFlag > 0 ? process.argv[dataFlag + 1] : join(import.meta.dirname, '../../shared/datasets/scaling');
const STARTUP = 60;
const LEVELS = [0.8, 0.9, 0.95, 0.99];
/** refit interval per model: hourly as the exporter, daily for the slow validating models */
const REFIT: Record<string, number> = { ets: 3600, sarima: 3600, auto: 86400, seasonal_naive: 86400, ensemble: 86400 };

interface Config {
  model: string;
  level?: number;
  halfLife: number;
  headroom: number;
  leadMul: number;
}

const product = <A, B, C>(a: A[], b: B[], c: C[]) =>
  a.flatMap((x) => b.flatMap((y) => c.map((z) => [x, y, z] as const)));

function grid(): Config[] {
  const configs: Config[] = [
    ...product(Object.keys(REFIT), [undefined, ...LEVELS], [0, 3600]).map(([model, level, halfLife]) => ({
      model,
      level,
      halfLife,
      headroom: 0,
      leadMul: 1,
    })),
    ...product([undefined, 0.8, 0.9, 0.99], [900, 1800, 3600, 7200, 14400], [1, 2]).map(
      ([level, halfLife, leadMul]) => ({
        model: 'ets',
        level,
        halfLife,
        headroom: 0,
        leadMul,
      }),
    ),
    ...product([undefined, 0.8], [0.1, 0.2, 0.3], [0, 3600]).flatMap(([level, headroom, halfLife]) =>
      [1, 2].map((leadMul) => ({ model: 'ets', level, halfLife, headroom, leadMul })),
    ),
  ];
  return [...new Map(configs.map((c) => [JSON.stringify(c), c])).values()];
}

interface Scores {
  pred: number;
  reactive: number;
  recent_max: number;
  day_ago: number;
}

async function main() {
  const files = readdirSync(DATA)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  const configs = grid();
  const scores = new Map<string, Record<string, Scores>>(configs.map((c) => [JSON.stringify(c), {}]));
  const hpa = { ...DEFAULT_HPA, startupDelay: STARTUP };
  for (const file of files) {
    const { rows } = readCsvFile(join(DATA, file));
    const g = toGrid(
      rows.map((r) => r.t),
      rows.map((r) => r.v),
      file,
    );
    const load = g.values;
    const work = traceWorkload(load, g.step, DEFAULT_PROTOCOL);
    const base = { load, step: g.step, leadTime: defaultLeadTime(g.step, STARTUP) };
    const others = ['reactive', 'recent_max', 'day_ago'].map((p) => [p, POLICIES[p].metric(base)] as const);
    const tracks = new Map<string, ForecastTrack>();
    for (const model of Object.keys(REFIT)) {
      tracks.set(
        model,
        await replayForecasts(
          { step: g.step, start: g.start, slots: load.map((_, i) => i), values: load },
          {
            model: getModel(model)!,
            horizon: 7,
            levels: LEVELS,
            fitWindow: Math.round((7 * 86400) / g.step),
            refitEvery: Math.round(REFIT[model] / g.step),
          },
        ),
      );
    }
    for (const c of configs) {
      const leadTime = c.leadMul * defaultLeadTime(g.step, STARTUP);
      const planner = plannerPolicy(
        { leadTime, level: c.level, headroom: c.headroom, scaleDownHalfLife: c.halfLife },
        g.step,
      );
      const metric = POLICIES.predictive.metric({ ...base, leadTime, forecasts: tracks.get(c.model), planner });
      const pred = simulateHpa(work, metric, hpa).score;
      const at = Object.fromEntries(
        others.map(([p, m]) => [p, matchCost(work, m, hpa, pred.replicaMinutes).score.underProvisionedMinutes]),
      );
      scores.get(JSON.stringify(c))![file] = { pred: pred.underProvisionedMinutes, ...at } as Scores;
    }
    process.stderr.write(`bench:scaling-validate ${file} done\n`);
  }
  const ratio = (a: number, b: number) => (a + 1) / (b + 1);
  const summary = (s: Record<string, Scores>, traces: string[]) => {
    const gm = (f: (x: Scores) => number) => geometricMean(traces.map((t) => f(s[t])));
    const vsReactive = gm((x) => ratio(x.pred, x.reactive));
    const rules = ['recent_max', 'day_ago'] as const;
    // the better rule over these traces: fewer under-provisioned minutes than reactive at this cost
    const better = rules.reduce((a, b) =>
      gm((x) => ratio(x[b], x.reactive)) < gm((x) => ratio(x[a], x.reactive)) ? b : a,
    );
    const vsBetter = gm((x) => ratio(x.pred, x[better]));
    const vsOracle = gm((x) => ratio(x.pred, Math.min(x.recent_max, x.day_ago)));
    return { vsReactive, vsBetter, vsOracle, criterion: Math.max(vsReactive / 0.5, vsBetter / 0.8) };
  };
  const ranked = configs
    .map((c) => ({ config: c, ...summary(scores.get(JSON.stringify(c))!, files) }))
    .sort((a, b) => a.criterion - b.criterion);
  const num = (v: number) => v.toFixed(3);
  process.stdout.write(`${configs.length} configurations; best 10 on all traces:\n`);
  for (const r of ranked.slice(0, 10)) {
    process.stdout.write(
      `  pred/reactive ${num(r.vsReactive)}  pred/better rule ${num(r.vsBetter)}  pred/per-trace best ${num(r.vsOracle)}  ${JSON.stringify(r.config)}\n`,
    );
  }
  // leave one trace out, among configurations with the default lead time
  const eligible = configs.filter((c) => c.leadMul === 1);
  const held: Record<string, Scores> = {};
  const chosen: Record<string, Config> = {};
  for (const t of files) {
    const rest = files.filter((f) => f !== t);
    const best = eligible.reduce((a, b) =>
      summary(scores.get(JSON.stringify(b))!, rest).criterion < summary(scores.get(JSON.stringify(a))!, rest).criterion
        ? b
        : a,
    );
    chosen[t] = best;
    held[t] = scores.get(JSON.stringify(best))![t];
  }
  const out = summary(held, files);
  process.stdout.write(
    `leave-one-trace-out (${eligible.length} configurations with the default lead time): pred/reactive ${num(out.vsReactive)}, ` +
      `pred/better rule ${num(out.vsBetter)}, pred/per-trace best ${num(out.vsOracle)}\n`,
  );
  for (const t of files) process.stdout.write(`  without ${t}: ${JSON.stringify(chosen[t])}\n`);
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(
    join(import.meta.dirname, 'results', 'scaling-validate.json'),
    JSON.stringify({ date: new Date().toISOString(), ranked, leaveOneOut: { ...out, chosen } }, null, 2),
  );
}

await main();
