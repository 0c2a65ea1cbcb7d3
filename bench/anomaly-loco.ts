/**
 * `tsx bench/anomaly-loco.ts`: leave-one-category-out on the NAB dev subset, the protocol behind
 * the detector default and its threshold (issue 21). The categories are artificial
 * (artificialWithAnomaly + artificialNoAnomaly), realAWSCloudwatch and realTraffic; each is held
 * out in turn, the threshold is chosen on the other two (NAB's rules, nab_score.py through
 * bench/nab_validate.py), and the held-out files are scored with it. Per variant it prints the
 * in-sample figure (one threshold for all 35 files, NAB's own figure), each category in-sample and
 * held out, the real categories pooled (the target: at least 70 held out, realTraffic at least 85),
 * the dev-to-held-out drop, and the figure at the default threshold. With several variants it
 * also chooses variant and threshold together leaving one category out. Writes
 * bench/results/anomaly-loco.json (each variant's entry dated; earlier entries kept).
 *
 *   tsx bench/anomaly-loco.ts VARIANT[,VARIANT...]      (names from bench/anomaly-variants.ts)
 */
import { DEFAULT_THRESHOLD } from '../exporter/src/detectors/index.js';
import { NAB, NAB_REAL, scoreDataset, validate, writeResults, type GroupFigure } from './anomaly-lib.js';
import { VARIANTS } from './anomaly-variants.js';

const names = (process.argv[2] ?? 'residual').split(',');
const dirs: Record<string, string> = {};
const micros: Record<string, number> = {};
for (const name of names) {
  if (!VARIANTS[name]) throw new Error(`unknown variant ${name} (known: ${Object.keys(VARIANTS).join(', ')})`);
  const t0 = Date.now();
  const s = await scoreDataset(VARIANTS[name], NAB, name);
  dirs[name] = s.dir;
  micros[name] = s.microsPerPoint;
  process.stderr.write(`bench:anomaly-loco ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const run = validate(dirs, NAB, { fixed: DEFAULT_THRESHOLD, pools: { real: NAB_REAL }, select: names.length > 1 });

const f = (x: number | null | undefined, d = 1) => (x === undefined || x === null ? '-' : x.toFixed(d));
const groups = Object.keys(NAB.groups!);
console.log(
  'NAB dev, leave one category out (standard profile). in: threshold chosen on all 35 files; out: chosen on the other two categories',
);
console.log(
  `${'variant'.padEnd(24)} ${'all in@thr'.padEnd(13)} ${groups.map((g) => `${g} in/out@thr`.padEnd(24)).join(' ')} real in/out  drop  @${DEFAULT_THRESHOLD} all/real/traffic  µs/pt`,
);
const results: Record<string, unknown> = {};
for (const name of names) {
  const v = run.variants[name];
  const logo = v.logo!.standard;
  const cell = (g: string) => {
    const x = logo[g] as GroupFigure;
    return `${f(x.in_sample)}/${f(x.score)}@${f(x.threshold, 4)}`.padEnd(24);
  };
  const real = logo['pool:real'] as GroupFigure;
  console.log(
    [
      name.padEnd(24),
      `${f(v.optimised.standard.score)}@${f(v.optimised.standard.threshold, 4)}`.padEnd(13),
      groups.map(cell).join(' '),
      `${f(real.in_sample)}/${f(real.score)}`.padEnd(11),
      f(real.in_sample! - real.score).padStart(5),
      `${f(v.fixed.standard)}/${f(v.fixed_by_group?.standard['pool:real'])}/${f(v.fixed_by_group?.standard.traffic)}`.padStart(
        17,
      ),
      f(micros[name], 2).padStart(7),
    ].join(' '),
  );
  results[name] = {
    date: new Date().toISOString(),
    microsPerPoint: micros[name],
    inSample: v.optimised,
    atDefaultThreshold: { all: v.fixed, byCategory: v.fixed_by_group },
    leaveOneCategoryOut: v.logo,
  };
}
const sel = run.selectedLogo?.standard;
if (sel) {
  const held = Object.entries(sel.groups)
    .map(([g, x]) => `${g} -> ${x.variant}@${f(x.threshold, 4)} ${f(x.score)}`)
    .join('; ');
  console.log(`\nvariant and threshold chosen leaving one category out: ${held}; real pooled ${f(sel.pools.real)}`);
}

writeResults(
  'anomaly-loco',
  {
    machine: 'shared 2-core dev box',
    protocol: 'NAB dev subset, leave one category out, standard/low FP/low FN profiles',
    lastRun: { variants: names, selected: run.selectedLogo ?? null },
  },
  results,
);
