/**
 * `npm run bench:anomaly`: every detector over every data set of bench/anomaly-datasets.ts (NAB,
 * simulated at 1 minute, 5 minutes and 1 hour, real series with injected anomalies at 5 minutes
 * and 1 hour), scored with NAB's rules (shared/tools/nab_score.py through bench/nab_validate.py):
 *
 * - NAB's own in-sample figure (three profiles) and the figure at the default threshold;
 * - leave-one-file-out (threshold chosen on the other files; bootstrap interval and the range of
 *   chosen thresholds), transfer between each pair of NAB categories, alternate halves;
 * - leave-one-set-out: the threshold chosen on the other data sets, the closest figure to data
 *   never seen;
 * - incidents caught and alerts at the default threshold, per set (several steps);
 * - cost: microseconds per point in the replays, and bytes per scorer after a week of 5-minute
 *   points (measured in a separate node with --expose-gc, bench/anomaly-cost.ts).
 *
 * random_forest also runs supervised ("random_forest+labels": each file's own incidents, each
 * once it has ended). Prints tables and writes bench/results/anomaly.json.
 *
 *   tsx bench/anomaly.ts [DETECTOR,...] [--sets nab,sim-5m,...]
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_THRESHOLD, DETECTORS } from '../exporter/src/detectors/index.js';
import {
  mergeDatasets,
  REPO,
  scoreDataset,
  validate,
  writeResults,
  type ScoredDataset,
  type Validation,
} from './anomaly-lib.js';
import { datasets } from './anomaly-datasets.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const names = positional[0]?.split(',') ?? [...Object.keys(DETECTORS), 'random_forest+labels'];
const sets = await datasets(flag('sets')?.split(','));

const scored: Record<string, Record<string, ScoredDataset>> = {};
for (const ds of sets) {
  for (const name of names) {
    const base = name.replace(/\+labels$/, '');
    if (!DETECTORS[base]) throw new Error(`unknown detector "${base}" (known: ${Object.keys(DETECTORS).join(', ')})`);
    const t0 = Date.now();
    (scored[name] ??= {})[ds.name] = await scoreDataset(DETECTORS[base], ds, name, base !== name);
    process.stderr.write(`bench:anomaly ${ds.name} ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

const perSet: Record<string, Record<string, Validation>> = {};
for (const ds of sets) {
  const dirs = Object.fromEntries(names.map((n) => [n, scored[n][ds.name].dir]));
  const v = validate(dirs, ds, { fixed: DEFAULT_THRESHOLD, select: false });
  for (const n of names) (perSet[n] ??= {})[ds.name] = v.variants[n];
}
const merged = mergeDatasets(
  sets,
  Object.fromEntries(names.map((n) => [n, Object.fromEntries(sets.map((d) => [d.name, scored[n][d.name].dir]))])),
);
const all = validate(merged.dirs, merged.dataset, { fixed: DEFAULT_THRESHOLD, profiles: ['standard'], select: false });

/** bytes per scorer and µs per point in a fresh node, so earlier runs leave nothing on the heap */
function cost(name: string): { bytesPerScorer?: number; microsPerPoint: number } | undefined {
  if (name.includes('+')) return undefined;
  const text = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(REPO, 'bench/anomaly-cost.ts'), name, '--json'],
    { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(text.trim().split('\n').pop()!);
}

const f = (x: number | undefined | null, d = 1) => (x === undefined || x === null ? '-' : x.toFixed(d));
const results: Record<string, unknown> = {};
const nabRows: string[] = [];
const setRows: string[] = [];
const costRows: string[] = [];
for (const name of names) {
  const c = cost(name);
  const nab = perSet[name].nab;
  const logo = all.variants[name].logo!.standard;
  if (nab) {
    const s = nab.loo.standard;
    nabRows.push(
      [
        name.padEnd(21),
        `${f(nab.optimised.standard.score)}/${f(nab.optimised.reward_low_FP_rate.score)}/${f(nab.optimised.reward_low_FN_rate.score)}`.padEnd(
          17,
        ),
        `${f(nab.fixed.standard)}/${f(nab.fixed.reward_low_FP_rate)}/${f(nab.fixed.reward_low_FN_rate)}`.padEnd(17),
        `${f(s.score)} [${s.interval90.join(', ')}] thr ${f(s.thresholds[0], 3)}-${f(s.thresholds[1], 3)}`.padEnd(34),
        Object.values(nab.transfer.standard)
          .map((x) => f(x.score))
          .join(' / ')
          .padEnd(13),
        nab.halves.standard
          .map((x) => f(x))
          .join(' / ')
          .padEnd(13),
        f((logo.nab as { score: number } | undefined)?.score),
      ].join(' '),
    );
  }
  for (const ds of sets) {
    const v = perSet[name][ds.name];
    const inc = scored[name][ds.name].overall.incidents;
    const g = logo[ds.name] as { score: number; threshold: number | null };
    setRows.push(
      [
        name.padEnd(21),
        ds.name.padEnd(6),
        f(v.loo.standard.score).padStart(6),
        f(g.score).padStart(7),
        f(v.fixed.standard).padStart(7),
        `${inc.caught}/${inc.windows}`.padStart(7),
        `${inc.trueAlerts}/${inc.alerts}`.padStart(8),
        f(scored[name][ds.name].microsPerPoint, 2).padStart(8),
      ].join(' '),
    );
  }
  const mean = sets.reduce((s, d) => s + (logo[d.name] as { score: number }).score, 0) / sets.length;
  costRows.push(
    `${name.padEnd(21)} ${(c?.bytesPerScorer === undefined ? '-' : Math.round(c.bytesPerScorer).toLocaleString('en')).padStart(9)} ${f(c?.microsPerPoint, 2).padStart(8)}   mean leave-one-set-out ${f(mean)}, all sets pooled: leave-one-file-out ${f(all.variants[name].loo.standard.score)}, default threshold ${f(all.variants[name].fixed.standard)}, in-sample threshold ${f(all.variants[name].optimised.standard.threshold, 3)}`,
  );
  results[name] = {
    date: new Date().toISOString(),
    cost: c,
    perSet: Object.fromEntries(
      sets.map((d) => [
        d.name,
        {
          ...perSet[name][d.name],
          incidents: scored[name][d.name].overall.incidents,
          microsPerPoint: scored[name][d.name].microsPerPoint,
        },
      ]),
    ),
    allSets: all.variants[name],
  };
}

console.log(
  `NAB (${perSet[names[0]].nab ? `${scored[names[0]].nab.files.length} files` : 'not run'}; default threshold ${DEFAULT_THRESHOLD})`,
);
console.log(
  'detector              in-sample std/fp/fn  default std/fp/fn  leave-one-file-out [90%] thresholds  transfers between categories  halves  other sets -> NAB',
);
console.log(nabRows.join('\n'));
console.log('\nevery data set (standard profile; incidents and alerts at the default threshold)');
console.log('detector              set       LOO  L-set-O default  caught   alerts µs/point');
console.log(setRows.join('\n'));
console.log('\ncost per scorer (a week of 5-minute points; a fresh node per detector)');
console.log('detector                  bytes µs/point');
console.log(costRows.join('\n'));

// detectors not run this time keep their earlier entry (each carries its own date): lstm is slow
writeResults(
  'anomaly',
  {
    machine: 'shared 2-core dev box (about 8 sessions at once)',
    // each entry lists the sets it ran on under perSet; this is only the latest run's
    lastRun: { sets: sets.map((d) => d.name), detectors: names },
  },
  results,
);
