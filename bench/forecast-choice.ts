/**
 * How `auto` turns its validation into a point forecast, measured cheaply: at every origin of the
 * forecast_bench.py protocol each candidate is validated on the history's tail exactly as `auto`
 * does (models/validation.ts), and its forecast of the next 4 hours is kept with the actuals.
 * Every selection or combination rule is then a function of the validation errors, scored on the
 * held-out 4 hours without refitting anything, and chosen leave one source out (the rule best on
 * the other sources scores the held-out one). Rules found here are then implemented in
 * models/auto.ts and measured end to end with bench/forecast-variants.ts.
 *
 *   tsx bench/forecast-choice.ts --data DIR[,DIR...] [--origins 20] [--cases FILE] [--rules A|B|...]
 *
 * Prints geo-mean MASE at 1 h and 4 h per data set and rule, and the held-out choice (among the
 * rules named by --rules, all when absent). Then the oracle ceiling: each series' best candidate
 * with hindsight (least mean MASE over its origins, per horizon), with auto's candidates and with
 * each measured extra candidate added: how far any choice among the candidates could reach.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { AUTO_CANDIDATES, AUTO_DEFAULTS, validationPlan } from '../exporter/src/models/auto.js';
import { validateOnTail, type TailCandidate } from '../exporter/src/models/validation.js';
import { createSeasonalProfile } from '../exporter/src/models/auto/seasonal-profile.js';
import { theta } from '../exporter/src/models/auto/theta.js';
import { originsFor } from '../exporter/src/evaluation/rolling-origin.js';
import { geometricMean, maseScale } from '../exporter/src/evaluation/metrics.js';
import { median } from '../exporter/src/util/stats.js';
import { flag, listCsv, readSeriesCsv } from './forecast-csv.js';

/** |validation error| by origin (oldest first): mean over steps 1..h1 and 1..h4, and how many steps were scored */
interface Validation {
  short: number[];
  long: number[];
  shortCount: number[];
  longCount: number[];
  /** median signed error by step (pooled over steps within +-25%, all origins) */
  bias: number[];
}

/**
 * Candidates measured for auto in issue 21 (multi-day seasonal profiles, Theta); `seasonal_profile`
 * (median of the last 6 detected seasons) is the one that may be among auto's own. Rules named
 * without them leave all of them out, so the figures do not change when one is adopted.
 */
const EXTRA: TailCandidate[] = [
  { name: 'seasonal_profile', factory: createSeasonalProfile({ stat: 'median' }) },
  { name: 'profile_mean', factory: createSeasonalProfile({ stat: 'mean' }) },
  { name: 'profile_median_level', factory: createSeasonalProfile({ stat: 'median', levelAdjust: true }) },
  { name: 'profile_mean_level', factory: createSeasonalProfile({ stat: 'mean', levelAdjust: true }) },
  { name: 'theta', factory: theta },
  // the day's phases whether or not the season was detected (as seasonal naive)
  { name: 'profile_median_daily', factory: createSeasonalProfile({ stat: 'median', season: 'daily' }) },
  {
    name: 'profile_median_level_daily',
    factory: createSeasonalProfile({ stat: 'median', levelAdjust: true, season: 'daily' }),
  },
];
const EXTRA_NAMES = EXTRA.map((c) => c.name);

/** auto's candidates and the ones measured for it, each once */
const CANDIDATES: TailCandidate[] = [
  ...AUTO_CANDIDATES,
  ...EXTRA.filter((c) => !AUTO_CANDIDATES.some((a) => a.name === c.name)),
];

/** What one origin leaves for the rules: per candidate, validation errors and the test forecast. */
interface Case {
  data: string;
  series: string;
  source: string;
  /** steps in 1 h and 4 h */
  h1: number;
  h4: number;
  scale: number;
  actual: number[];
  /** by candidate name: |validation error| by origin (oldest first), mean over steps 1..h1 and 1..h4 */
  val: Record<string, Validation>;
  point: Record<string, number[]>;
}

async function collect(roots: string[], origins: number): Promise<Case[]> {
  const cases: Case[] = [];
  for (const root of roots) {
    for (const file of listCsv(root)) {
      const { t, v } = readSeriesCsv(file);
      const step = t[1] - t[0];
      const h1 = Math.max(1, Math.round(3600 / step));
      const h4 = Math.max(1, Math.round(14400 / step));
      const series = relative(root, file).replace(/\.csv$/, '');
      for (const o of originsFor(v.length, h4, origins)) {
        const history = v.slice(Math.max(0, o - 2016), o);
        const { scale } = maseScale(history, Math.round(86400 / step));
        const plan = validationPlan(history.length, step, AUTO_DEFAULTS);
        if (!Number.isFinite(scale) || !plan) continue;
        const validations = await validateOnTail(history, CANDIDATES, { ...plan, step, start: t[0] });
        const c: Case = {
          data: basename(root),
          series,
          source: series.split('/')[0],
          h1,
          h4,
          scale,
          actual: v.slice(o, o + h4),
          val: {},
          point: {},
        };
        for (const val of validations) {
          if (!Number.isFinite(val.mae)) continue;
          const meanAbs = (upto: number, count = false) =>
            val.errors[0].map((_, k) => {
              let s = 0;
              let n = 0;
              for (let h = 0; h < upto; h++) {
                const e = val.errors[h][k];
                if (e === e) {
                  s += Math.abs(e);
                  n++;
                }
              }
              return count ? n : n > 0 ? s / n : NaN;
            });
          const short = Math.min(h1, plan.horizon);
          c.val[val.name] = {
            short: meanAbs(short),
            long: meanAbs(plan.horizon),
            shortCount: meanAbs(short, true),
            longCount: meanAbs(plan.horizon, true),
            bias: val.errors.map((_, h) => {
              const reach = Math.round((h + 1) / 4);
              const pool = val.errors
                .slice(Math.max(0, h - reach), h + reach + 1)
                .flat()
                .filter((e) => e === e);
              return pool.length > 0 ? median(pool) : 0;
            }),
          };
          c.point[val.name] = val.fitted.forecast(h4, []).point;
        }
        if (Object.keys(c.point).length > 0) cases.push(c);
      }
    }
  }
  return cases;
}

const mean = (xs: number[]): number => {
  const f = xs.filter((x) => x === x);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};

/** A rule: weights per candidate for the early steps (<= 1 h) and the rest. */
type Rule = (c: Case) => { early: Record<string, number>; late: Record<string, number>; debias?: boolean };

/** Equal weights on the `k` candidates of least error `by`, those within `within` times the best. */
function topK(c: Case, k: number, within: number, by: (v: Validation) => number): Record<string, number> {
  const ranked = Object.entries(c.val)
    .map(([name, v]) => ({ name, e: by(v) }))
    .filter((r) => Number.isFinite(r.e))
    .sort((a, b) => a.e - b.e);
  const kept = ranked.slice(0, k).filter((r) => r.e <= within * ranked[0].e);
  return Object.fromEntries(kept.map((r) => [r.name, 1 / kept.length]));
}

/** every origin weighs the same (the latest have only their first steps scored) */
const longError = (v: Validation) => mean(v.long);
const shortError = (v: Validation) => mean(v.short);
/** every scored step weighs the same (what models/auto.ts did) */
const pooled = (means: number[], counts: number[]) =>
  means.reduce((s, m, k) => s + (counts[k] > 0 ? m * counts[k] : 0), 0) / counts.reduce((a, b) => a + b, 0);
const longPooled = (v: Validation) => pooled(v.long, v.longCount);
const shortPooled = (v: Validation) => pooled(v.short, v.shortCount);
const same = (w: Record<string, number>) => ({ early: w, late: w });

/** Prefer `name` unless another candidate's error is below `margin` times its error. */
function preferring(c: Case, name: string, margin: number): Record<string, number> {
  const best = topK(c, 1, Infinity, longError);
  const own = c.val[name];
  if (!own) return best;
  const [other] = Object.keys(best);
  return other !== undefined && longError(c.val[other]) < margin * longError(own) ? best : { [name]: 1 };
}

/** Error with origins weighted by recency: half the weight every `halfLife` origins back. */
const recentWeighted =
  (halfLife: number, pick: (v: Validation) => number[]) =>
  (v: Validation): number => {
    const xs = pick(v);
    let s = 0;
    let w = 0;
    xs.forEach((x, k) => {
      if (x !== x) return;
      const weight = 0.5 ** ((xs.length - 1 - k) / halfLife);
      s += weight * x;
      w += weight;
    });
    return w > 0 ? s / w : NaN;
  };

const equal = (names: string[]) => Object.fromEntries(names.map((n) => [n, 1 / names.length]));

const debiased =
  (rule: Rule): Rule =>
  (c) => ({ ...rule(c), debias: true });

/** The rule applied as if the candidates `names` were not there. */
const withoutAll =
  (names: string[], rule: Rule): Rule =>
  (c) =>
    rule({ ...c, val: Object.fromEntries(Object.entries(c.val).filter(([n]) => !names.includes(n))) });

const BASE_RULES: Record<string, Rule> = {
  'mean of top 2 within 1.5x, pooled steps (before)': (c) => same(topK(c, 2, 1.5, longPooled)),
  'single best, pooled steps': (c) => same(topK(c, 1, Infinity, longPooled)),
  'single best': (c) => same(topK(c, 1, Infinity, longError)),
  'mean of top 2 within 1.5x': (c) => same(topK(c, 2, 1.5, longError)),
  'mean of top 3 within 1.5x': (c) => same(topK(c, 3, 1.5, longError)),
  'mean of all': (c) => same(equal(Object.keys(c.val))),
  'best by horizon': (c) => ({ early: topK(c, 1, Infinity, shortError), late: topK(c, 1, Infinity, longError) }),
  'mean of 2 by horizon': (c) => ({ early: topK(c, 2, 1.5, shortError), late: topK(c, 2, 1.5, longError) }),
  'best on 1 h early, mean of 2 later': (c) => ({
    early: topK(c, 1, Infinity, shortError),
    late: topK(c, 2, 1.5, longError),
  }),
  'best by horizon, pooled steps': (c) => ({
    early: topK(c, 1, Infinity, shortPooled),
    late: topK(c, 1, Infinity, longPooled),
  }),
  'best, recency half-life 8 origins': (c) =>
    same(
      topK(
        c,
        1,
        Infinity,
        recentWeighted(8, (v) => v.long),
      ),
    ),
  'best, recency half-life 16 origins': (c) =>
    same(
      topK(
        c,
        1,
        Infinity,
        recentWeighted(16, (v) => v.long),
      ),
    ),
  'by horizon, half-life 16': (c) => ({
    early: topK(
      c,
      1,
      Infinity,
      recentWeighted(16, (v) => v.short),
    ),
    late: topK(
      c,
      1,
      Infinity,
      recentWeighted(16, (v) => v.long),
    ),
  }),
  'recent median unless beaten by 10%': (c) => same(preferring(c, 'recent_median', 0.9)),
  'recent median unless beaten by 25%': (c) => same(preferring(c, 'recent_median', 0.75)),
  'mean of recent median and ets': (c) =>
    same(c.val.recent_median && c.val.ets ? equal(['recent_median', 'ets']) : topK(c, 1, Infinity, longError)),
  'best, median error added': debiased((c) => same(topK(c, 1, Infinity, longError))),
  'mean of 2 by horizon, median error added': debiased((c) => ({
    early: topK(c, 2, 1.5, shortError),
    late: topK(c, 2, 1.5, longError),
  })),
};

/** Every base rule with auto's candidates as they were, and with median reversion added. */
export const RULES: Record<string, Rule> = {
  ...Object.fromEntries(
    Object.entries(BASE_RULES).flatMap(([name, rule]) => [
      [name, withoutAll(['median_reversion', ...EXTRA_NAMES], rule)],
      [`${name} + median reversion`, withoutAll(EXTRA_NAMES, rule)],
    ]),
  ),
  // auto's rule with each extra candidate added
  ...Object.fromEntries(
    EXTRA_NAMES.map((extra) => [
      `best on 1 h early, mean of 2 later + median reversion + ${extra}`,
      withoutAll(
        EXTRA_NAMES.filter((n) => n !== extra),
        BASE_RULES['best on 1 h early, mean of 2 later'],
      ),
    ]),
  ),
};

/** Per series: each candidate's MASE at 1 h and 4 h, mean over origins, the least over `names` per horizon. */
function oracle(cases: Case[], names: string[]): Map<string, { data: string; source: string; mase: number[] }> {
  // a candidate that refused a history (no season to profile) scores the last value there
  const alone =
    (name: string): Rule =>
    (c) =>
      same({ [c.point[name] ? name : 'naive']: 1 });
  const each = names.map((n) => perSeries(cases, alone(n)));
  return new Map(
    [...each[0]].map(([k, v]) => [
      k,
      { ...v, mase: [0, 1].map((j) => Math.min(...each.map((m) => m.get(k)?.mase[j] ?? Infinity))) },
    ]),
  );
}

function score(c: Case, rule: Rule): number[] {
  const { early, late, debias } = rule(c);
  const mix = (w: Record<string, number>, h: number) =>
    Object.entries(w).reduce(
      (s, [name, weight]) =>
        s +
        weight * (c.point[name][h] + (debias ? (c.val[name].bias[Math.min(h, c.val[name].bias.length - 1)] ?? 0) : 0)),
      0,
    );
  const err = c.actual.map((y, h) => Math.abs(y - mix(h < c.h1 ? early : late, h)));
  return [mean(err.slice(0, c.h1)) / c.scale, mean(err) / c.scale];
}

/** Per series: mean over origins of the rule's MASE at 1 h and 4 h. */
function perSeries(cases: Case[], rule: Rule): Map<string, { data: string; source: string; mase: number[] }> {
  const out = new Map<string, { data: string; source: string; sums: number[][] }>();
  for (const c of cases) {
    const key = `${c.data}:${c.series}`;
    if (!out.has(key)) out.set(key, { data: c.data, source: c.source, sums: [] });
    out.get(key)!.sums.push(score(c, rule));
  }
  return new Map(
    [...out].map(([k, v]) => [
      k,
      { data: v.data, source: v.source, mase: [0, 1].map((j) => mean(v.sums.map((s) => s[j]))) },
    ]),
  );
}

async function main(): Promise<void> {
  const roots = flag('data', '../shared/datasets/forecast')
    .split(',')
    .map((d) => resolve(d));
  const origins = Number(flag('origins', '20'));
  // the validations are the slow part: --cases FILE keeps them for trying more rules
  const casesFile = flag('cases', '');
  const cases: Case[] =
    casesFile && existsSync(casesFile)
      ? (JSON.parse(readFileSync(casesFile, 'utf8')) as Case[])
      : await collect(roots, origins);
  if (casesFile && !existsSync(casesFile)) writeFileSync(casesFile, JSON.stringify(cases));
  const results = Object.fromEntries(Object.entries(RULES).map(([name, rule]) => [name, perSeries(cases, rule)]));
  const only = flag('rules', '').split('|').filter(Boolean);
  const datasets = [...new Set(cases.map((c) => c.data))];
  const gm = (m: Map<string, { mase: number[] }>, j: number, keep: (k: string) => boolean) =>
    geometricMean([...m].filter(([k]) => keep(k)).map(([, v]) => v.mase[j]));
  console.log(`rule${' '.repeat(36)}${datasets.map((d) => d.padEnd(14)).join('')}  (geo-mean MASE 1 h / 4 h)`);
  for (const [name, m] of Object.entries(results)) {
    const cells = datasets.map((d) =>
      [0, 1]
        .map((j) => gm(m, j, (k) => k.startsWith(`${d}:`)).toFixed(3))
        .join('/')
        .padEnd(14),
    );
    console.log(`${name.padEnd(40)}${cells.join('')}`);
  }
  // leave one source out on mean log MASE over both horizons
  const sources = [...new Set(cases.map((c) => c.source))];
  const cost = (m: Map<string, { source: string; mase: number[] }>, keep: (s: string) => boolean) =>
    mean([...m.values()].filter((v) => keep(v.source)).flatMap((v) => v.mase.map((x) => Math.log(Math.max(1e-3, x)))));
  const heldOut = new Map<string, { data: string; source: string; mase: number[] }>();
  for (const held of sources) {
    const names = Object.keys(results).filter((n) => only.length === 0 || only.includes(n));
    const pick = names.reduce((a, b) =>
      cost(results[b], (s) => s !== held) < cost(results[a], (s) => s !== held) ? b : a,
    );
    console.log(`held out ${held}: ${pick}`);
    for (const [k, v] of results[pick]) if (v.source === held) heldOut.set(k, v);
  }
  const cells = datasets.map((d) =>
    [0, 1]
      .map((j) => gm(heldOut, j, (k) => k.startsWith(`${d}:`)).toFixed(3))
      .join('/')
      .padEnd(14),
  );
  console.log(`${'held out (leave one source out)'.padEnd(40)}${cells.join('')}`);
  // the ceiling: each series' best candidate with hindsight
  const base = AUTO_CANDIDATES.map((c) => c.name).filter((n) => !EXTRA_NAMES.includes(n));
  const ceilings: Record<string, string[]> = {
    "auto's candidates before issue 21's": base,
    ...Object.fromEntries(EXTRA_NAMES.map((n) => [`+ ${n}`, [...base, n]])),
    '+ all extras': [...base, ...EXTRA_NAMES],
  };
  for (const [label, names] of Object.entries(ceilings)) {
    const m = oracle(cases, names);
    const row = datasets.map((d) =>
      [0, 1]
        .map((j) => gm(m, j, (k) => k.startsWith(`${d}:`)).toFixed(3))
        .join('/')
        .padEnd(14),
    );
    console.log(`${`oracle, ${label}`.padEnd(40)}${row.join('')}`);
  }
}

await main();
