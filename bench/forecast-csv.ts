/**
 * Shared by the forecast bench scripts: reading the bench's `timestamp,value` CSV files (errors
 * name the file and line), flags, coverage spread, and writing results to bench/results/.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** `--name value` from the command line, or `fallback`. */
export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Write `payload` with the date and machine to bench/results/`file` and say where. */
export function writeResults(file: string, payload: Record<string, unknown>): void {
  const out = join(here, 'results', file);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ date: new Date().toISOString(), machine: `${cpus().length} cores`, ...payload }, null, 1),
  );
  console.log(`wrote ${out}`);
}

export function readSeriesCsv(path: string): { t: number[]; v: number[] } {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  if (lines[0].trim() !== 'timestamp,value') throw new Error(`${path}:1: expected header timestamp,value`);
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const [a, b] = lines[i].split(',');
    const ts = Number(a);
    if (!Number.isFinite(ts)) throw new Error(`${path}:${i + 1}: bad timestamp ${JSON.stringify(a)}`);
    t.push(ts);
    v.push(b === undefined || b.trim() === '' ? NaN : Number(b));
  }
  return { t, v };
}

/** Every .csv file under `dir`, sorted. */
export function listCsv(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listCsv(join(dir, e.name)) : e.name.endsWith('.csv') ? [join(dir, e.name)] : []))
    .sort();
}

/** Value at fraction `p` of the sorted values (nearest rank), NaN when empty. */
export function percentile(values: number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** What the target intervals of issue 13 ask of per-series coverage at each level. */
export const COVERAGE_TARGETS: Record<string, [number, number]> = { '0.8': [0.77, 0.83], '0.95': [0.93, 0.97] };

/** Spread of per-series coverage at `level`: mean, 10th / 90th percentile, share inside the target. */
export function coverageSpread(perSeries: number[], level: number) {
  const [lo, hi] = COVERAGE_TARGETS[String(level)] ?? [level - 0.03, level + 0.03];
  const finite = perSeries.filter(Number.isFinite);
  return {
    mean: finite.reduce((a, b) => a + b, 0) / finite.length,
    p10: percentile(finite, 0.1),
    p90: percentile(finite, 0.9),
    inside: finite.filter((c) => c >= lo && c <= hi).length / finite.length,
  };
}
