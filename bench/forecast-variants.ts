/**
 * How `auto` and the offline band calibration were chosen: every variant measured on several
 * data sets with the forecast_bench.py protocol (more origins than the headline's 5, for less
 * noise), then a leave-one-source-out choice within each family of variants: for each held-out
 * source, the variant best on the other sources is scored on the held-out one. A change is kept
 * only when that choice beats the default on held-out sources.
 *
 *   tsx bench/forecast-variants.ts --data DIR[,DIR...] [--origins 20] [--variants a,b]
 *
 * Sources are the first-level folders of each DIR (e.g. nab, bitbrains_rnd, google2019). Besides
 * ../shared/datasets/forecast we used ../shared/datasets/scaling (1-minute traces, another step
 * and kind) and the forecast series averaged to 15 minutes and 1 hour (other steps; see
 * docs/benchmarks.md for the commands). Prints tables, writes bench/results/forecast-variants.json.
 */
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuto, validationPlan } from '../exporter/src/models/auto.js';
import { AdaptiveCalibration } from '../exporter/src/models/adaptive-calibration.js';
import { calibrateOnTail } from '../exporter/src/models/tail-calibration.js';
import { ets } from '../exporter/src/models/ets.js';
import type { ModelFactory, SeriesInput } from '../exporter/src/models/types.js';
import { backtestSeries } from '../exporter/src/evaluation/rolling-origin.js';
import { geometricMean } from '../exporter/src/evaluation/metrics.js';
import { flag, listCsv, readSeriesCsv, writeResults } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const LEVELS = [0.8, 0.95];
const DAY = 86400;

/**
 * The rejected offline calibration: replay the last day with the online calibrator (multipliers of
 * the model's own bands), then serve the model refitted on the whole history through it.
 */
function replayMultipliers(factory: ModelFactory): ModelFactory {
  return {
    ...factory,
    async fit(series: SeriesInput, options) {
      const { values, step, start } = series;
      const plan = validationPlan(values.length, step);
      const model = await factory.fit(series, options);
      if (!plan) return model;
      const calibration = new AdaptiveCalibration({
        step,
        horizons: [1, Math.round(plan.horizon / 4), plan.horizon],
        levels: LEVELS,
        sampleSeconds: plan.stride * step,
        capacity: Math.ceil(plan.window / plan.stride),
      });
      const cut = values.length - plan.window;
      const replay = await factory.fit({ values: Array.from(values).slice(0, cut), step, start }, options);
      for (let i = cut; i < values.length; i++) {
        if ((i - cut) % plan.stride === 0)
          calibration.record(start + (i - 1) * step, replay.forecast(plan.horizon, LEVELS));
        calibration.observe(start + i * step, values[i]);
        replay.update([values[i]]);
      }
      return {
        ...model,
        name: model.name,
        description: model.description,
        forecast: (h, l) => calibration.adjust(model.forecast(h, l)),
      };
    },
  };
}

const served = (factory: ModelFactory): ModelFactory => ({ ...factory, fit: (s, o) => calibrateOnTail(factory, s, o) });

/** Families of variants; the first of each is the reference the others are compared with. */
const FAMILIES: Record<string, Record<string, ModelFactory>> = {
  calibration: {
    auto: createAuto(),
    'auto, plain quantiles': createAuto({ overlapCorrection: false }),
  },
  choice: {
    'single best (the previous default)': createAuto({ combine: 1 }),
    '3-day window': createAuto({ combine: 1, windowSeconds: 3 * DAY, maxShare: 0.5, selectSeconds: 3 * DAY }),
    '3-day window, choice on last day': createAuto({ combine: 1, windowSeconds: 3 * DAY, maxShare: 0.5 }),
    'fallback guard (naive, snaive over 3 days)': createAuto({
      combine: 1,
      windowSeconds: 3 * DAY,
      maxShare: 0.5,
      fallbacks: ['naive', 'seasonal_naive'],
    }),
    'refit the choice': createAuto({ combine: 1, refit: true }),
    'mean of top 2 within 1.5x (default)': createAuto(),
    'mean of top 3 within 1.5x': createAuto({ combine: 3 }),
  },
  'offline calibration (ets)': {
    'ets, tail table + refit': served(ets),
    'ets, own bands': ets,
    'ets, replayed multipliers + refit': replayMultipliers(ets),
  },
};

interface SeriesResult {
  source: string;
  mase: number[];
  cov: number[][];
}

async function run(factory: ModelFactory, roots: string[], origins: number): Promise<SeriesResult[]> {
  const out: SeriesResult[] = [];
  for (const root of roots) {
    for (const file of listCsv(root)) {
      const { t, v } = readSeriesCsv(file);
      const step = t[1] - t[0];
      const horizons = [Math.max(1, Math.round(3600 / step)), Math.max(1, Math.round(14400 / step))];
      const scores = await backtestSeries(v, factory, {
        origins,
        horizons,
        maxHistory: 2016,
        season: Math.max(1, Math.round(86400 / step)),
        levels: LEVELS,
        step,
        start: t[0],
        now: () => 0,
      });
      const at = (h: number) => scores.filter((s) => s.horizon === h);
      if (at(horizons[0]).length === 0) continue;
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      out.push({
        source: `${basename(root)}:${relative(root, file)
          .split('/')[0]
          .replace(/\.csv$/, '')}`,
        mase: horizons.map((h) => avg(at(h).map((s) => s.mase))),
        cov: horizons.map((h) => LEVELS.map((_, k) => avg(at(h).map((s) => s.coverage[k])))),
      });
    }
  }
  return out;
}

/** Per source: log geo-mean 4 h MASE, and mean |coverage - level| over horizons and levels. */
function bySource(results: SeriesResult[]): Record<string, { logMase: number; miscoverage: number; n: number }> {
  const groups: Record<string, SeriesResult[]> = {};
  for (const r of results) (groups[r.source] ??= []).push(r);
  return Object.fromEntries(
    Object.entries(groups).map(([source, rs]) => [
      source,
      {
        logMase: Math.log(geometricMean(rs.map((r) => r.mase[1]))),
        miscoverage:
          rs.reduce((a, r) => a + r.cov.flat().reduce((b, c, i) => b + Math.abs(c - LEVELS[i % 2]), 0) / 4, 0) /
          rs.length,
        n: rs.length,
      },
    ]),
  );
}

async function main(): Promise<void> {
  const roots = flag('data', join(here, '../../shared/datasets/forecast'))
    .split(',')
    .map((d) => resolve(d));
  const origins = Number(flag('origins', '20'));
  const only = flag('families', Object.keys(FAMILIES).join(',')).split(',');
  const report: Record<string, unknown> = {};
  for (const family of only) {
    const variants = FAMILIES[family];
    const measured: Record<string, ReturnType<typeof bySource>> = {};
    const overall: Record<string, { gm4h: number; cov: number[][] }> = {};
    for (const [name, factory] of Object.entries(variants)) {
      const results = await run(factory, roots, origins);
      measured[name] = bySource(results);
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      overall[name] = {
        gm4h: geometricMean(results.map((r) => r.mase[1])),
        cov: [0, 1].map((j) => LEVELS.map((_, k) => avg(results.map((r) => r.cov[j][k])))),
      };
      process.stderr.write(`${family}: ${name} done\n`);
    }
    const names = Object.keys(variants);
    const sources = Object.keys(measured[names[0]]);
    console.log(`\n=== ${family} (${origins} origins; geo-mean 4 h MASE, coverage 80/95 at 1 h and 4 h)`);
    for (const name of names) {
      const o = overall[name];
      console.log(
        `${name.padEnd(44)} ${o.gm4h.toFixed(3)}  ${o.cov[0].map((c) => c.toFixed(3)).join('/')}  ${o.cov[1].map((c) => c.toFixed(3)).join('/')}`,
      );
    }
    const loso: Record<string, unknown>[] = [];
    for (const objective of ['logMase', 'miscoverage'] as const) {
      let chosenSum = 0;
      let defaultSum = 0;
      for (const held of sources) {
        const train = sources.filter((s) => s !== held);
        const cost = (n: string) => train.reduce((a, s) => a + measured[n][s][objective], 0);
        const chosen = names.reduce((a, b) => (cost(b) < cost(a) ? b : a));
        chosenSum += measured[chosen][held][objective];
        defaultSum += measured[names[0]][held][objective];
        loso.push({
          objective,
          held,
          chosen,
          heldOut: measured[chosen][held][objective],
          default: measured[names[0]][held][objective],
        });
      }
      const show = (x: number) =>
        objective === 'logMase' ? Math.exp(x / sources.length).toFixed(3) : (x / sources.length).toFixed(4);
      console.log(
        `leave one source out, ${objective === 'logMase' ? 'geo-mean 4 h MASE' : 'mean |coverage - level|'}: chosen ${show(chosenSum)} vs reference ${show(defaultSum)}; picks ${loso
          .filter((l) => l.objective === objective)
          .map((l) => `${String(l.held)} -> ${String(l.chosen)}`)
          .join(', ')}`,
      );
    }
    report[family] = { overall, bySource: measured, loso };
  }
  writeResults('forecast-variants.json', { roots, origins, report });
}

await main();
