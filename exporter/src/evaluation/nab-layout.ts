/**
 * The NAB data layout shared by `cloudpulse simulate` output, the NAB subset and `evaluate`:
 * `DIR/<category>/<file>.csv` files keyed `category/file.csv`, and a labels file mapping each
 * key to its anomaly windows `[[start, end], ...]` (timestamps `YYYY-MM-DD HH:MM:SS`, UTC).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inferStep, readCsvFile, type CsvRow } from '../series/csv.js';
import type { Window } from '../series/incident-labels.js';

export interface LabelledFile {
  /** `category/file.csv` */
  key: string;
  path: string;
}

export { incidentsFor, readWindows, type Window } from '../series/incident-labels.js';

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

/**
 * The windows of one input file: the key equal to its path relative to the input directory
 * (`category/file.csv`), else the one key with the same file name; none when neither exists.
 */
export function windowsFor(windows: Map<string, Window[]>, relativePath: string): Window[] {
  const key = relativePath.split(/[/\\]/).join('/');
  const exact = windows.get(key);
  if (exact) return exact;
  const name = key.split('/').pop();
  const same = [...windows.keys()].filter((k) => k.split('/').pop() === name);
  return same.length === 1 ? windows.get(same[0])! : [];
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
