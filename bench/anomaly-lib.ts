/**
 * Shared machinery of the anomaly benchmarks: locate shared/, replay a detector over a NAB-layout
 * data set into score files (cached per detector variant and source version, so a sweep re-runs only
 * what changed), and call bench/nab_validate.py (NAB's rules from shared/tools/nab_score.py) for the
 * out-of-sample figures. Files run one after another in this process: the machine is shared.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DetectorFactory } from '../exporter/src/detectors/types.js';
import { labelRows, listLabelledFiles, readCsvFile, readWindows } from '../exporter/src/evaluation/nab-layout.js';
import { fileMetrics, overallMetrics, replay, type FileMetrics } from '../exporter/src/evaluation/anomaly-replay.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '..');

/** shared/ (datasets and tools): $CLOUDPULSE_SHARED, else the first `shared` beside an ancestor of the repo */
export function sharedDir(): string {
  if (process.env.CLOUDPULSE_SHARED) return process.env.CLOUDPULSE_SHARED;
  for (let dir = REPO; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dirname(dir), 'shared');
    if (existsSync(join(candidate, 'datasets'))) return candidate;
  }
  throw new Error('shared/datasets not found beside any parent of the repository; set CLOUDPULSE_SHARED');
}

export const SHARED = sharedDir();
export const NAB_SCORER = join(SHARED, 'tools/nab_score.py');
export const CACHE = process.env.CLOUDPULSE_BENCH_CACHE ?? join(tmpdir(), 'cloudpulse-bench-anomaly');

/** a NAB-layout data set: DIR/<category>/<file>.csv and a windows file */
export interface Dataset {
  name: string;
  data: string;
  windows: string;
  /** file groups by category, for transfer between groups (e.g. artificial vs AWS) */
  groups?: Record<string, string[]>;
}

export const NAB: Dataset = {
  name: 'nab',
  data: join(SHARED, 'datasets/nab/data'),
  windows: join(SHARED, 'datasets/nab/labels/combined_windows.json'),
  groups: {
    artificial: ['artificialNoAnomaly', 'artificialWithAnomaly'],
    aws: ['realAWSCloudwatch'],
    traffic: ['realTraffic'],
  },
};

/** the real NAB categories, pooled for the leave-one-category-out target */
export const NAB_REAL = ['aws', 'traffic'];

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** hash of the detector sources: a cached score file is reused only while they are unchanged */
export const SOURCE_HASH = (() => {
  const h = createHash('sha256');
  for (const f of listTs(join(REPO, 'exporter/src/detectors')).sort()) {
    if (!f.endsWith('.test.ts')) h.update(f).update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 10);
})();

export interface ScoredFile {
  key: string;
  metrics: FileMetrics;
}

export interface ScoredDataset {
  dir: string;
  files: ScoredFile[];
  overall: ReturnType<typeof overallMetrics>;
  microsPerPoint: number;
}

/**
 * Replays `detector` over every file of `ds` (at the detector's default threshold) and writes
 * score files under the cache; returns per-file metrics. `variant` names the cache entry. With
 * `supervised`, each file's label windows are handed to the detector as known incidents (a
 * detector that learns from them uses a window only once it has ended).
 */
export async function scoreDataset(
  detector: DetectorFactory,
  ds: Dataset,
  variant = detector.name,
  supervised = false,
): Promise<ScoredDataset> {
  const dir = join(CACHE, 'scores', ds.name, `${variant}-${SOURCE_HASH}`);
  const summaryPath = join(dir, 'summary.json');
  if (existsSync(summaryPath) && statSync(summaryPath).mtimeMs >= statSync(ds.windows).mtimeMs) {
    return { dir, ...JSON.parse(readFileSync(summaryPath, 'utf8')) };
  }
  const windows = readWindows(ds.windows);
  const files: ScoredFile[] = [];
  let micros = 0;
  let points = 0;
  for (const f of listLabelledFiles(ds.data)) {
    const { rows } = readCsvFile(f.path);
    const known = windows.get(f.key) ?? [];
    const r = await replay(detector, rows, undefined, supervised ? known : undefined);
    micros += r.microsPerPoint * rows.length;
    points += rows.length;
    const path = join(dir, f.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      ['timestamp,anomaly_score', ...rows.map((x, i) => `${x.raw},${+r.scores[i].toFixed(9)}`)].join('\n') + '\n',
    );
    files.push({ key: f.key, metrics: fileMetrics(f.key, r, labelRows(rows, known)) });
  }
  const summary = { files, overall: overallMetrics(files.map((f) => f.metrics)), microsPerPoint: micros / points };
  // written last and atomically: an interrupted run leaves no summary and is redone
  writeFileSync(`${summaryPath}.tmp`, JSON.stringify(summary));
  renameSync(`${summaryPath}.tmp`, summaryPath);
  return { dir, ...summary };
}

export interface ProfileFigures<T> {
  standard: T;
  reward_low_FP_rate: T;
  reward_low_FN_rate: T;
}

export interface Validation {
  optimised: ProfileFigures<{ score: number; threshold: number | null }>;
  fixed: ProfileFigures<number>;
  /** per group and pool ("pool:NAME"), at the fixed threshold */
  fixed_by_group?: ProfileFigures<Record<string, number>>;
  loo: ProfileFigures<{
    score: number;
    interval90: [number, number];
    thresholds: [number | null, number | null];
    by_group: Record<string, number>;
    per_file: Record<string, number>;
  }>;
  transfer: ProfileFigures<Record<string, { score: number; threshold: number | null }>>;
  halves: ProfileFigures<[number, number]>;
  /** leave one group out (present when there are groups) */
  logo?: ProfileFigures<Record<string, GroupFigure | number>>;
}

/**
 * One held-out group: `score` with the threshold chosen on the other groups, `in_sample` with the
 * threshold chosen on every file, `own` on its own files; a pool ("pool:NAME") has no threshold.
 */
export interface GroupFigure {
  score: number;
  threshold?: number | null;
  in_sample?: number;
  own?: number;
}

export interface ValidationRun {
  files: number;
  variants: Record<string, Validation>;
  selected?: ProfileFigures<{ score: number; chosen: Record<string, number> }>;
  /** variant and threshold chosen leaving one group out (with groups) */
  selectedLogo?: ProfileFigures<{
    groups: Record<string, { variant: string; threshold: number | null; score: number }>;
    pools: Record<string, number>;
  }>;
}

/** NAB figures (in-sample, fixed threshold, leave-one-file-out, transfer) of score directories */
export function validate(
  variants: Record<string, string>,
  ds: Dataset,
  options: { fixed?: number; profiles?: string[]; select?: boolean; pools?: Record<string, string[]> } = {},
): ValidationRun {
  const args = [join(here, 'nab_validate.py'), '--scorer', NAB_SCORER, '--windows', ds.windows];
  for (const [name, dir] of Object.entries(variants)) args.push('--variant', `${name}=${dir}`);
  for (const [name, cats] of Object.entries(ds.groups ?? {})) args.push('--group', `${name}=${cats.join(',')}`);
  if (options.fixed !== undefined) args.push('--fixed', String(options.fixed));
  if (options.profiles) args.push('--profiles', options.profiles.join(','));
  if (options.select === false) args.push('--no-select');
  for (const [name, groups] of Object.entries(options.pools ?? {})) args.push('--pool', `${name}=${groups.join(',')}`);
  const text = execFileSync('/usr/bin/python3', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const run = JSON.parse(text) as ValidationRun & { selected_logo?: ValidationRun['selectedLogo'] };
  run.selectedLogo = run.selected_logo;
  return run;
}

/**
 * Writes `bench/results/<name>.json`: `header` and the results by variant, keeping earlier
 * entries of variants not run this time (each entry carries its own date).
 */
export function writeResults(name: string, header: Record<string, unknown>, results: Record<string, unknown>): void {
  const path = join(here, 'results', `${name}.json`);
  const earlier = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')).results ?? {}) : {};
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ ...header, results: { ...earlier, ...results } }, null, 2));
}

/**
 * One data set made of several, each file under `<set>__<category>/`, grouped by set, so the
 * validator can choose a threshold on some sets and score another (leave one data set out).
 * `scores` maps each variant to its score directory per set; returns the merged set and the
 * merged score directory per variant (symbolic links, nothing copied).
 */
export function mergeDatasets(
  sets: Dataset[],
  scores: Record<string, Record<string, string>>,
): { dataset: Dataset; dirs: Record<string, string> } {
  const key = createHash('sha256')
    .update(JSON.stringify([sets.map((d) => d.name), scores]))
    .digest('hex')
    .slice(0, 12);
  const root = join(CACHE, 'merged', key);
  rmSync(root, { recursive: true, force: true });
  const windows: Record<string, unknown> = {};
  const groups: Record<string, string[]> = {};
  for (const ds of sets) {
    const own = JSON.parse(readFileSync(ds.windows, 'utf8')) as Record<string, unknown>;
    const cats = new Set<string>();
    for (const [k, w] of Object.entries(own)) {
      const [cat, file] = k.split('/');
      windows[`${ds.name}__${cat}/${file}`] = w;
      cats.add(`${ds.name}__${cat}`);
    }
    groups[ds.name] = [...cats];
  }
  mkdirSync(root, { recursive: true });
  const dataset: Dataset = { name: 'all', data: '', windows: join(root, 'windows.json'), groups };
  writeFileSync(dataset.windows, JSON.stringify(windows));
  const dirs: Record<string, string> = {};
  for (const [variant, perSet] of Object.entries(scores)) {
    const dir = join(root, variant);
    mkdirSync(dir, { recursive: true });
    for (const [set, from] of Object.entries(perSet)) {
      for (const cat of readdirSync(from)) {
        if (statSync(join(from, cat)).isDirectory()) symlinkSync(join(from, cat), join(dir, `${set}__${cat}`));
      }
    }
    dirs[variant] = dir;
  }
  return { dataset, dirs };
}
