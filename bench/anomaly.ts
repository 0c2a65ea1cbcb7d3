/**
 * `npm run bench:anomaly`: every detector over the NAB subset (scored by shared/tools/nab_score.py,
 * three profiles) and over simulated data with ground truth (point F1, and incidents: labelled
 * windows caught and true alerts, at the default threshold), plus each detector's cost per point.
 * Prints a table and writes bench/results/anomaly.json. Usage: tsx bench/anomaly.ts [detector,...]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DETECTORS, getDetector } from '../exporter/src/detectors/index.js';
import { labelRows, listLabelledFiles, readCsvFile, readWindows } from '../exporter/src/evaluation/nab-layout.js';
import { fileMetrics, overallMetrics, replay } from '../exporter/src/evaluation/anomaly-replay.js';
import { simulateCommand } from '../exporter/src/cli/simulate.js';
import { DEFAULT_THRESHOLD } from '../exporter/src/detectors/index.js';

const NAB = join(import.meta.dirname, '../../shared/datasets/nab');
const SCORER = join(import.meta.dirname, '../../shared/tools/nab_score.py');
const names = process.argv[2] ? process.argv[2].split(',') : Object.keys(DETECTORS);
const out = mkdtempSync(join(tmpdir(), 'cloudpulse-bench-anomaly-'));

/** nab_score.py's three normalised profile scores for one results directory */
function nabScore(dir: string, extra: string[] = []) {
  const text = execFileSync(
    'python3',
    [SCORER, dir, '--windows', join(NAB, 'labels/combined_windows.json'), ...extra],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const last = text.trim().split('\n').pop() ?? '';
  const m = /standard=([\d.-]+) low_fp=([\d.-]+) low_fn=([\d.-]+)/.exec(last);
  if (!m) throw new Error(`nab_score.py: unexpected last line "${last}"`);
  return { standard: Number(m[1]), lowFp: Number(m[2]), lowFn: Number(m[3]) };
}

async function nab(name: string) {
  const detector = getDetector(name)!;
  let micros = 0;
  let points = 0;
  for (const f of listLabelledFiles(join(NAB, 'data'))) {
    const { rows } = readCsvFile(f.path);
    const r = await replay(detector, rows);
    micros += r.microsPerPoint * rows.length;
    points += rows.length;
    const path = join(out, name, f.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      ['timestamp,anomaly_score', ...rows.map((x, i) => `${x.raw},${r.scores[i]}`)].join('\n') + '\n',
    );
  }
  const dir = join(out, name);
  const optimised = nabScore(dir);
  // the product's default threshold, fixed: what a user gets without tuning
  const atDefault = nabScore(dir, ['--threshold', String(DEFAULT_THRESHOLD)]);
  // threshold transfer: tune on one half of the files (alternating), score the other half with it
  const keys = listLabelledFiles(join(NAB, 'data')).map((f) => f.key);
  const transfer = [0, 1].map((k) => {
    const [train, test] = [k, 1 - k].map((h) => {
      const file = join(out, `${name}.half${h}.txt`);
      writeFileSync(file, keys.filter((_, i) => i % 2 === h).join('\n') + '\n');
      return file;
    });
    const thresholds = join(out, `${name}.half${k}.json`);
    nabScore(dir, ['--subset-file', train, '--json', thresholds]);
    return nabScore(dir, ['--subset-file', test, '--thresholds-json', thresholds]).standard;
  });
  return { ...optimised, atDefault, transfer, microsPerPoint: micros / points };
}

async function simulated(name: string, dir: string) {
  const windows = readWindows(join(dir, 'labels/combined_windows.json'));
  const files = [];
  for (const f of listLabelledFiles(join(dir, 'data'))) {
    const { rows } = readCsvFile(f.path);
    files.push(fileMetrics(f.key, await replay(getDetector(name)!, rows), labelRows(rows, windows.get(f.key) ?? [])));
  }
  return overallMetrics(files);
}

const simDir = join(out, 'simulated');
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
await simulateCommand.run(['--out', simDir], {
  stdout: sink,
  stderr: process.stderr,
  env: {},
  interactive: false,
} as never);

const results: Record<string, unknown> = {};
const table: string[] = [
  `detector          standard low_fp low_fn  @${DEFAULT_THRESHOLD} (std/fp/fn)  halves  µs/point  sim_F1  sim_prec sim_recall  caught  alerts inc_F1`,
];
for (const name of names) {
  process.stderr.write(`bench:anomaly ${name}...\n`);
  try {
    const n = await nab(name);
    const s = await simulated(name, simDir);
    results[name] = { date: new Date().toISOString(), nab: n, simulated: s };
    table.push(
      `${name.padEnd(17)} ${n.standard.toFixed(1).padStart(8)} ${n.lowFp.toFixed(1).padStart(6)} ${n.lowFn.toFixed(1).padStart(6)}  ${[
        n.atDefault.standard,
        n.atDefault.lowFp,
        n.atDefault.lowFn,
      ]
        .map((x) => x.toFixed(1))
        .join('/')
        .padStart(16)}  ${n.transfer
        .map((x) => x.toFixed(1))
        .join('/')
        .padStart(
          9,
        )} ${n.microsPerPoint.toFixed(1).padStart(9)} ${s.f1.toFixed(3).padStart(7)} ${s.precision.toFixed(3).padStart(8)} ${s.recall.toFixed(3).padStart(10)} ${`${s.incidents.caught}/${s.incidents.windows}`.padStart(7)} ${`${s.incidents.trueAlerts}/${s.incidents.alerts}`.padStart(7)} ${s.incidents.f1.toFixed(3).padStart(6)}`,
    );
  } catch (err) {
    results[name] = { error: (err as Error).message };
    table.push(`${name.padEnd(17)} unavailable: ${(err as Error).message}`);
  }
}
console.log(table.join('\n'));
// detectors not run this time keep their earlier entry (each entry carries its own date): lstm is slow
const jsonPath = join(import.meta.dirname, 'results/anomaly.json');
const earlier = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')).results ?? {}) : {};
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(
  jsonPath,
  JSON.stringify({ machine: 'shared 2-core dev box', results: { ...earlier, ...results } }, null, 2),
);
