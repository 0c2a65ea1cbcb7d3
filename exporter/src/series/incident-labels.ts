/**
 * Labels files: known anomaly windows keyed by a file (`category/file.csv`, as NAB and
 * `cloudpulse simulate` lay data out) or by a live series' identity, `[[start, end], ...]` with
 * timestamps as the CSV reader reads them. Read by `evaluate`, `detect --labels` and the live
 * exporter's `anomaly_labels`.
 */
import { readFileSync } from 'node:fs';
import { parseTimestamp } from './csv.js';

/** [start, end] in unix seconds, inclusive */
export type Window = [number, number];

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
 * The known incidents of one live series (the series' `anomaly_labels` file): the windows under
 * its identity `name{label="value",...}` (as the exporter spells it), else those under the bare
 * series name, which apply to every label set of the series.
 */
export function incidentsFor(windows: Map<string, Window[]>, seriesKey: string, name: string): Window[] {
  return windows.get(seriesKey) ?? windows.get(name) ?? [];
}
