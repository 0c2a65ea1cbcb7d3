/**
 * How `auto`, its bands and the offline band calibration were chosen: every variant of a family
 * measured on several data sets with the forecast_bench.py protocol, then a leave-one-source-out
 * choice within the family: for each held-out source, the variant best on the other sources
 * scores the held-out one. Point choices are judged by MASE (geometric mean over series, 1 h and
 * 4 h), band choices by MSIS95 among the variants whose coverage is inside the targets
 * (bench/forecast-heldout.ts). With --anchors, each held-out result is set against the best of
 * forecast_bench.py's own methods on the same series (its `--out` CSV per data set).
 *
 *   tsx bench/forecast-variants.ts --data DIR[,DIR...] [--origins 20] [--families a,b]
 *                                  [--variants a,b] [--anchors DIR] [--cache DIR] [--select-origins N]
 *
 * Data sets are named by their folder (forecast, m15, h1, m1: see bench/forecast-resample.ts);
 * `--anchors DIR` reads DIR/<data set>.csv. `--cache DIR` keeps each variant's per-series scores
 * (DIR/<family>/<variant>.json) so a later run with more variants measures only the new ones.
 * `--select-origins N` makes the leave-one-source-out choice on runs with N origins (less noise)
 * and scores the chosen variants on the runs with --origins (e.g. 5, the anchors' protocol).
 * Prints tables, writes bench/results/forecast-variants.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuto, type AutoOptions } from '../exporter/src/models/auto.js';
import { calibrateOnTail } from '../exporter/src/models/tail-calibration.js';
import { ets } from '../exporter/src/models/ets.js';
import { createSeasonalProfile } from '../exporter/src/models/auto/seasonal-profile.js';
import { theta } from '../exporter/src/models/auto/theta.js';
import type { ConformalOptions } from '../exporter/src/models/calibration.js';
import type { ModelFactory } from '../exporter/src/models/types.js';
import { flag, writeResults } from './forecast-csv.js';
import {
  leaveOneSourceOut,
  ofData,
  readAnchors,
  scoreVariant,
  summarise,
  type Objective,
  type SeriesScore,
  type Summary,
} from './forecast-heldout.js';

const here = dirname(fileURLToPath(import.meta.url));

const served = (factory: ModelFactory, calibration: ConformalOptions = {}): ModelFactory => ({
  ...factory,
  fit: (s, o) => calibrateOnTail(factory, s, o, calibration),
});

/** Conformal options: sided or symmetric quantiles, the correction on `scale` x the effective sample (0: none). */
const bands = (sided: boolean, scale: number): ConformalOptions => ({
  sided,
  overlapCorrection: scale > 0,
  effectiveScale: scale || 1,
});

interface Family {
  objective: Objective;
  /** the first variant is the reference (the default before the family was measured) */
  variants: Record<string, () => ModelFactory>;
}

/** `auto` as it was before issue 21: mean of two on pooled errors, old candidates, symmetric corrected bands */
const BEFORE: Partial<AutoOptions> = {
  earlySeconds: 0,
  errorWeighting: 'step',
  exclude: ['median_reversion'],
  calibration: { sided: false, overlapCorrection: true, effectiveScale: 1 },
};

const FAMILIES: Record<string, Family> = {
  bands: {
    objective: 'msis',
    variants: {
      'symmetric, full overlap correction (before)': () => createAuto({ calibration: bands(false, 1) }),
      'symmetric, correction on 2x the effective sample (kept)': () => createAuto({ calibration: bands(false, 2) }),
      'symmetric, correction on 4x the effective sample': () => createAuto({ calibration: bands(false, 4) }),
      'symmetric, no correction': () => createAuto({ calibration: bands(false, 0) }),
      'sided, full overlap correction': () => createAuto({ calibration: bands(true, 1) }),
      'sided, correction on 2x the effective sample': () => createAuto({ calibration: bands(true, 2) }),
      'sided, correction on 4x the effective sample': () => createAuto({ calibration: bands(true, 4) }),
      'sided, no correction': () => createAuto({ calibration: bands(true, 0) }),
      'symmetric, no correction, at least 48 origins': () =>
        createAuto({ minOrigins: 48, calibration: bands(false, 0) }),
      'symmetric, 4x, at least 48 origins': () => createAuto({ minOrigins: 48, calibration: bands(false, 4) }),
      'sided, no correction, at least 48 origins': () => createAuto({ minOrigins: 48, calibration: bands(true, 0) }),
      'sided, 4x, at least 48 origins': () => createAuto({ minOrigins: 48, calibration: bands(true, 4) }),
      'symmetric, no correction, pooling +-50%': () => createAuto({ calibration: { ...bands(false, 0), reach: 0.5 } }),
      'sided, no correction, pooling +-50%': () => createAuto({ calibration: { ...bands(true, 0), reach: 0.5 } }),
    },
  },
  'ets bands': {
    objective: 'msis',
    variants: {
      'ets, symmetric, full correction (before)': () => served(ets, bands(false, 1)),
      'ets, symmetric, 2x (kept)': () => served(ets, bands(false, 2)),
      'ets, own bands': () => ets,
      'ets, symmetric, no correction': () => served(ets, bands(false, 0)),
    },
  },
  candidates: {
    objective: 'mase',
    variants: {
      'auto as it is (naive, seasonal naive, ets, sarima, medians)': () => createAuto(),
      '+ median of the last 6 detected seasons at each phase': () =>
        createAuto({ extra: [{ name: 'seasonal_profile', factory: createSeasonalProfile() }] }),
      '+ median of the last 6 days at each phase': () =>
        createAuto({ extra: [{ name: 'seasonal_profile', factory: createSeasonalProfile({ season: 'daily' }) }] }),
      '+ theta': () => createAuto({ extra: [{ name: 'theta', factory: theta }] }),
    },
  },
  choice: {
    objective: 'mase',
    variants: {
      'before (mean of top 2, pooled steps)': () => createAuto(BEFORE),
      'single best, pooled steps': () => createAuto({ ...BEFORE, combine: 1 }),
      'mean of top 2, per origin': () => createAuto({ ...BEFORE, errorWeighting: 'origin' }),
      'best on 1 h early, mean of 2 later, per origin': () =>
        createAuto({ ...BEFORE, earlySeconds: 3600, errorWeighting: 'origin' }),
      '+ median reversion (kept)': () => createAuto({ calibration: BEFORE.calibration }),
      'mean of top 2, per origin, + median reversion': () =>
        createAuto({ calibration: BEFORE.calibration, earlySeconds: 0 }),
    },
  },
};

const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'nan');

function row(label: string, s: Summary, anchor?: { mase: number[]; msis: number[] }): string {
  const ratio = (a: number, b?: number) => (b ? ` (${fmt(a / b, 2)}x)` : '');
  return [
    label.padEnd(52),
    `MASE ${fmt(s.maseGm[0])}${ratio(s.maseGm[0], anchor?.mase[0])} / ${fmt(s.maseGm[1])}${ratio(s.maseGm[1], anchor?.mase[1])}`,
    `MSIS95 ${fmt(s.msis95Gm[0], 2)}${ratio(s.msis95Gm[0], anchor?.msis[0])} / ${fmt(s.msis95Gm[1], 2)}${ratio(s.msis95Gm[1], anchor?.msis[1])}`,
    `cov ${s.cov.map((c) => c.map((x) => fmt(x)).join('/')).join('  ')}`,
    `w95 ${s.w95.map((w) => fmt(w, 2)).join('/')}`,
    s.fails > 0 ? `fails ${s.fails}` : '',
  ].join('  ');
}

/** The best anchor of each measure on exactly these series (one data set). */
function bestAnchor(anchors: Record<string, SeriesScore[]>, series: SeriesScore[]) {
  const names = new Set(series.map((s) => s.series));
  const sums = Object.entries(anchors).map(([method, scores]) => ({
    method,
    s: summarise(scores.filter((a) => names.has(a.series))),
  }));
  const best = (pick: (s: Summary) => number) => sums.reduce((a, b) => (pick(b.s) < pick(a.s) ? b : a), sums[0]);
  return {
    mase: [0, 1].map((j) => best((s) => s.maseGm[j]).s.maseGm[j]),
    msis: [0, 1].map((j) => best((s) => s.msis95Gm[j]).s.msis95Gm[j]),
    names: [0, 1].map((j) => `${best((s) => s.maseGm[j]).method}/${best((s) => s.msis95Gm[j]).method}`),
  };
}

async function main(): Promise<void> {
  const roots = flag('data', join(here, '../../shared/datasets/forecast'))
    .split(',')
    .map((d) => resolve(d));
  const origins = Number(flag('origins', '20'));
  const families = flag('families', Object.keys(FAMILIES).join(',')).split(',');
  const only = flag('variants', '').split(',').filter(Boolean);
  const anchorDir = flag('anchors', '');
  const cacheDir = flag('cache', '');
  const selectOrigins = Number(flag('select-origins', String(origins)));
  const datasets = roots.map((r) => basename(r));
  const anchors = Object.fromEntries(
    datasets
      .filter((d) => anchorDir && existsSync(join(anchorDir, `${d}.csv`)))
      .map((d) => [d, readAnchors(join(anchorDir, `${d}.csv`), d)]),
  );
  const report: Record<string, unknown> = {};
  for (const familyName of families) {
    const family = FAMILIES[familyName];
    if (!family)
      throw new Error(`--families: unknown family ${familyName} (known: ${Object.keys(FAMILIES).join(', ')})`);
    const measure = async (count: number): Promise<Record<string, SeriesScore[]>> => {
      const out: Record<string, SeriesScore[]> = {};
      for (const [name, make] of Object.entries(family.variants)) {
        if (only.length > 0 && !only.includes(name) && name !== Object.keys(family.variants)[0]) continue;
        const cached = cacheDir && join(cacheDir, familyName, `${name.replace(/[^a-z0-9]+/gi, '_')}-${count}.json`);
        const key = JSON.stringify({ roots, origins: count });
        if (cached && existsSync(cached)) {
          const saved = JSON.parse(readFileSync(cached, 'utf8')) as { key: string; scores: SeriesScore[] };
          if (saved.key === key) {
            out[name] = saved.scores;
            continue;
          }
        }
        const t0 = performance.now();
        out[name] = await scoreVariant(make(), roots, count);
        process.stderr.write(
          `${familyName}: ${name}, ${count} origins (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
        );
        if (cached) {
          mkdirSync(dirname(cached), { recursive: true });
          writeFileSync(cached, JSON.stringify({ key, scores: out[name] }));
        }
      }
      return out;
    };
    const measured = await measure(origins);
    const chooseOn = selectOrigins === origins ? measured : await measure(selectOrigins);
    console.log(
      `\n=== ${familyName} (${origins} origins, chosen on ${selectOrigins}; geo-means 1 h / 4 h; coverage 80/95 at 1 h and 4 h)`,
    );
    const heldOut = leaveOneSourceOut(measured, family.objective, chooseOn);
    const results: Record<string, Record<string, Summary>> = {};
    for (const data of datasets) {
      const best = anchors[data]
        ? bestAnchor(anchors[data], ofData(measured[Object.keys(measured)[0]], data))
        : undefined;
      console.log(`--- ${data}${best ? ` (best anchors MASE ${best.names.join(', ')} by horizon)` : ''}`);
      for (const [name, scores] of Object.entries(measured)) {
        const s = summarise(ofData(scores, data));
        (results[name] ??= {})[data] = s;
        console.log(row(name, s, best));
      }
      const held = summarise(ofData(heldOut.scores, data));
      (results['held out'] ??= {})[data] = held;
      console.log(row('held out (leave one source out)', held, best));
    }
    console.log(
      `picks: ${Object.entries(heldOut.picks)
        .map(([s, v]) => `${s} -> ${v}`)
        .join('; ')}`,
    );
    report[familyName] = { objective: family.objective, results, picks: heldOut.picks };
  }
  writeResults('forecast-variants.json', { roots, origins, report });
}

await main();
