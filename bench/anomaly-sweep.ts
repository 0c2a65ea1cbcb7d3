/**
 * Development sweep: detector variants (bench/anomaly-variants.ts) over every data set, scored
 * with NAB's rules. Per variant and data set: leave-one-file-out (threshold chosen on the other
 * files of the set), leave-one-set-out (threshold chosen on the other sets: the closest figure to
 * unseen data) and the figure at the default threshold, standard profile.
 *
 *   tsx bench/anomaly-sweep.ts VARIANT[,VARIANT...] [DATASET,...]
 */
import { DEFAULT_THRESHOLD } from '../exporter/src/detectors/index.js';
import { mergeDatasets, scoreDataset, validate } from './anomaly-lib.js';
import { datasets } from './anomaly-datasets.js';
import { VARIANTS } from './anomaly-variants.js';

const names = (process.argv[2] ?? Object.keys(VARIANTS).join(',')).split(',');
const sets = await datasets(process.argv[3]?.split(','));
const scores: Record<string, Record<string, string>> = {};
const loo: Record<string, Record<string, string>> = {};
for (const ds of sets) {
  const dirs: Record<string, string> = {};
  for (const name of names) {
    const t0 = Date.now();
    // a name ending "+labels" runs the detector with each file's own earlier incidents
    const base = name.replace(/\+labels$/, '');
    if (!VARIANTS[base]) throw new Error(`unknown variant ${name} (known: ${Object.keys(VARIANTS).join(', ')})`);
    const s = await scoreDataset(VARIANTS[base], ds, name, base !== name);
    dirs[name] = s.dir;
    (scores[name] ??= {})[ds.name] = s.dir;
    process.stderr.write(`${ds.name} ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const v = validate(dirs, ds, { fixed: DEFAULT_THRESHOLD, profiles: ['standard'], select: false });
  for (const name of names) {
    const r = v.variants[name];
    (loo[name] ??= {})[ds.name] =
      `${r.loo.standard.score.toFixed(1)}/${r.fixed.standard.toFixed(1)}@${(r.optimised.standard.threshold ?? NaN).toFixed(3)}`;
  }
}
const merged = mergeDatasets(sets, scores);
const all = validate(merged.dirs, merged.dataset, { fixed: DEFAULT_THRESHOLD, profiles: ['standard'] });
console.log(`variant              ${sets.map((d) => d.name.padEnd(21)).join(' ')} mean-logo  all: loo/fixed`);
console.log(`  (per set: leave-one-set-out | leave-one-file-out/fixed@in-sample threshold)`);
for (const name of names) {
  const r = all.variants[name];
  const logo = r.logo!.standard;
  const cells = sets.map((d) => {
    const g = logo[d.name] as { score: number };
    return `${g.score.toFixed(1).padStart(6)} | ${loo[name][d.name].padEnd(13)}`;
  });
  const mean = sets.reduce((s, d) => s + (logo[d.name] as { score: number }).score, 0) / sets.length;
  console.log(
    `${name.padEnd(20)} ${cells.join(' ')} ${mean.toFixed(1).padStart(6)}   ${r.loo.standard.score.toFixed(1)}/${r.fixed.standard.toFixed(1)}`,
  );
}
if (all.selected) console.log(`choice by leave-one-file-out over all sets: ${JSON.stringify(all.selected.standard)}`);
