/**
 * The NAB data layout shared by `cloudpulse simulate` output, the NAB subset and `evaluate`:
 * `DIR/<category>/<file>.csv` files keyed `category/file.csv`, and a labels file mapping each
 * key to its anomaly windows `[[start, end], ...]` (timestamps `YYYY-MM-DD HH:MM:SS`, UTC).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inferStep, parseTimestamp, readCsvFile, type CsvRow } from '../series/csv.js';

export interface LabelledFile {
  /** `category/file.csv` */
  key: string;
  path: string;
}

/** [start, end] in unix seconds, inclusive */
export type Window = [number, number];

export function listLabelledFiles(dir: string): LabelledFile[] {
  const out: LabelledFile[] = [];
  for (const category of readdirSync(dir).sort()) {
    const catPath = join(dir, category);
    if (!statSync(catPath).isDirectory()) continue;
    for (const file of readdirSync(catPath).sort()) {
      if (file.endsWith('.csv')) out.push({ key: `${category}/${file}`, path: join(catPath, file) });
    }
  }
  if (out.length === 0) throw new Error(`${dir}: no <category>/<file>.csv files found`);
  return out;
}

export function readWindows(path: string): Map<string, Window[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: expected an object keyed "category/file.csv"`);
  }
  const out = new Map<string, Window[]>();
  for (const [key, list] of Object.entries(parsed)) {
    if (!Array.isArray(list)) throw new Error(`${path}: "${key}" should be a list of [start, end] windows`);
    out.set(
      key,
      list.map((w, i) => {
        const pair = Array.isArray(w) ? w.map((x) => parseTimestamp(String(x))) : [];
        if (pair.length !== 2 || !pair.every(Number.isFinite) || pair[0] > pair[1]) {
          throw new Error(`${path}: "${key}"[${i}] is not a [start, end] pair of timestamps: ${JSON.stringify(w)}`);
        }
        return [pair[0], pair[1]] as Window;
      }),
    );
  }
  return out;
}

/** per-row 0/1 label: 1 when the row's timestamp is inside a window */
export function labelRows(rows: CsvRow[], windows: Window[]): Uint8Array {
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    if (windows.some(([a, b]) => r.t >= a && r.t <= b)) labels[i] = 1;
  });
  return labels;
}

/** the step of a file's rows, by the shared reader's rule (series/csv.ts) */
export function typicalStep(rows: CsvRow[]): number {
  return inferStep(rows.map((r) => r.t));
}

export { readCsvFile };
