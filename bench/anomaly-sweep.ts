/**
 * Development sweep: detector variants (bench/anomaly-variants.ts) over every data set, scored
 * with NAB's rules in and out of sample. Prints per data set the in-sample optimum, the
 * leave-one-file-out figure and the figure at the default threshold, standard profile.
 *
 *   tsx bench/anomaly-sweep.ts VARIANT[,VARIANT...] [DATASET,...]
 */
import { DEFAULT_THRESHOLD } from '../exporter/src/detectors/index.js';
import { scoreDataset, validate } from './anomaly-lib.js';
import { datasets } from './anomaly-datasets.js';
import { VARIANTS } from './anomaly-variants.js';

const names = (process.argv[2] ?? Object.keys(VARIANTS).join(',')).split(',');
const sets = await datasets(process.argv[3]?.split(','));
const rows: string[] = [];
const totals: Record<string, { loo: number; fixed: number; n: number }> = {};
for (const ds of sets) {
  const dirs: Record<string, string> = {};
  for (const name of names) {
    if (!VARIANTS[name]) throw new Error(`unknown variant ${name} (known: ${Object.keys(VARIANTS).join(', ')})`);
    const t0 = Date.now();
    const s = await scoreDataset(VARIANTS[name], ds, name);
    dirs[name] = s.dir;
    process.stderr.write(`${ds.name} ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const v = validate(dirs, ds, { fixed: DEFAULT_THRESHOLD, profiles: ['standard'], select: names.length > 1 });
  for (const name of names) {
    const r = v.variants[name];
    const groups = Object.entries(r.transfer.standard)
      .map(([k, x]) => `${k} ${x.score.toFixed(1)}`)
      .join(' ');
    rows.push(
      `${ds.name.padEnd(7)} ${name.padEnd(24)} opt ${r.optimised.standard.score.toFixed(1).padStart(6)} ` +
        `loo ${r.loo.standard.score.toFixed(1).padStart(6)} [${r.loo.standard.interval90.map((x) => x.toFixed(0)).join(',')}] ` +
        `fixed ${r.fixed.standard.toFixed(1).padStart(6)} thr ${(r.optimised.standard.threshold ?? NaN).toFixed(4)} ${groups}`,
    );
    const t = (totals[name] ??= { loo: 0, fixed: 0, n: 0 });
    t.loo += r.loo.standard.score;
    t.fixed += r.fixed.standard;
    t.n++;
  }
  if (v.selected) rows.push(`${ds.name.padEnd(7)} ${'(choice by LOO)'.padEnd(24)} loo ${v.selected.standard.score.toFixed(1)} ${JSON.stringify(v.selected.standard.chosen)}`);
}
for (const [name, t] of Object.entries(totals)) {
  rows.push(`mean    ${name.padEnd(24)} loo ${(t.loo / t.n).toFixed(1)} fixed ${(t.fixed / t.n).toFixed(1)} over ${t.n} sets`);
}
console.log(rows.join('\n'));
