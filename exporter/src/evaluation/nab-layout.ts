/**
 * The NAB data layout shared by `cloudpulse simulate` output, the NAB subset and `evaluate`:
 * `DIR/<category>/<file>.csv` files keyed `category/file.csv`, and a labels file mapping each
 * key to its anomaly windows `[[start, end], ...]` (timestamps `YYYY-MM-DD HH:MM:SS`, UTC).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseTimestamp, readCsvFile, type CsvRow } from '../series/csv.js';

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

/**
 * The known incidents of one live series (the series' `anomaly_labels` file): the windows under
 * its identity `name{label="value",...}` (as the exporter spells it), else those under the bare
 * series name, which apply to every label set of the series.
 */
export function incidentsFor(windows: Map<string, Window[]>, seriesKey: string, name: string): Window[] {
  return windows.get(seriesKey) ?? windows.get(name) ?? [];
}

/** per-row 0/1 label: 1 when the row's timestamp is inside a window */
export function labelRows(rows: CsvRow[], windows: Window[]): Uint8Array {
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    if (windows.some(([a, b]) => r.t >= a && r.t <= b)) labels[i] = 1;
  });
  return labels;
}

/** the most common spacing between consecutive timestamps, in seconds */
export function typicalStep(rows: CsvRow[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < Math.min(rows.length, 2000); i++) {
    const d = rows[i].t - rows[i - 1].t;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount) [best, bestCount] = [d, c];
  return best || 60;
}

export { readCsvFile };
