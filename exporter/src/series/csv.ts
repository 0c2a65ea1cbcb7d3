/**
 * `timestamp,value` CSV files for the offline commands. Timestamps are unix seconds (integer or
 * fractional), ISO-8601, or `YYYY-MM-DD HH:MM:SS` read as UTC (the NAB form). A bad row is an
 * error naming the file and line; nothing is guessed silently.
 */
import { readFileSync } from 'node:fs';

export interface CsvRow {
  /** the timestamp exactly as written, echoed back by `detect` */
  raw: string;
  /** unix seconds */
  t: number;
  /** NaN for empty / NaN cells */
  v: number;
  /** 1-based line number in the file */
  line: number;
}

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${detail}`);
    this.name = 'CsvError';
  }
}

const NAIVE_UTC = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** Parse one timestamp cell to unix seconds, or NaN when it is not a timestamp. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  const first = s.charCodeAt(0);
  // unix seconds are by far the most common form: skip the regex when the cell is a plain number
  if ((first >= 48 && first <= 57) || first === 45) {
    const quick = Number(s);
    if (Number.isFinite(quick) && !s.includes('e') && !s.includes('E')) return quick > 1e11 ? quick / 1000 : quick;
  }
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    // milliseconds are a common mistake; 1e11 s is the year 5138
    return n > 1e11 ? n / 1000 : n;
  }
  const iso = NAIVE_UTC.test(s) ? `${s.replace(' ', 'T')}Z` : s;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? NaN : ms / 1000;
}

/** NaN for empty / NaN / null / infinite cells; undefined when the cell is not a number at all. */
function parseValue(text: string): number | undefined {
  const n = Number(text);
  // Number() accepts "" and whitespace as 0; anything else it accepts is a real number
  if (Number.isFinite(n) && text.trim() !== '') return n;
  const s = text.trim();
  if (s === '' || /^(nan|null|[+-]?inf(inity)?)$/i.test(s)) return NaN;
  return undefined;
}

const unquote = (cell: string) => (cell.includes('"') ? cell.trim().replace(/^"|"$/g, '') : cell.trim());

export function parseCsv(text: string, file: string): { rows: CsvRow[] } {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  const columns = header.split(',').map((c) => unquote(c).toLowerCase());
  const ti = columns.indexOf('timestamp');
  const vi = columns.indexOf('value');
  if (ti === -1 || vi === -1) {
    throw new CsvError(file, 1, `expected a header with columns timestamp,value; got "${header.slice(0, 80)}"`);
  }
  const rows: CsvRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length < columns.length) {
      throw new CsvError(
        file,
        i + 1,
        `expected ${columns.length} columns, got ${cells.length}: "${line.slice(0, 80)}"`,
      );
    }
    const raw = unquote(cells[ti]);
    const t = parseTimestamp(raw);
    if (!Number.isFinite(t)) {
      throw new CsvError(file, i + 1, `cannot read timestamp "${raw}" (expected unix seconds or ISO-8601)`);
    }
    const cell = unquote(cells[vi]);
    const v = parseValue(cell);
    if (v === undefined) throw new CsvError(file, i + 1, `cannot read value "${cell}" (expected a number)`);
    rows.push({ raw, t, v, line: i + 1 });
  }
  if (rows.length === 0) throw new CsvError(file, undefined, 'no data rows');
  return { rows };
}

export function readCsvFile(path: string): { rows: CsvRow[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CsvError(path, undefined, `cannot read file: ${(err as Error).message}`);
  }
  return parseCsv(text, path);
}

export interface Grid {
  /** unix seconds of values[0] */
  start: number;
  /** seconds */
  step: number;
  /** one slot per step; NaN for gaps */
  values: Float64Array;
  /** for each input row, its slot in `values` */
  rowIndex: Int32Array;
}

/**
 * Put points on a regular grid. The step is the most common positive difference between
 * consecutive timestamps; duplicates keep the last finite value; points off the grid snap to the
 * nearest slot; missing slots are NaN. Input must be in time order (equal times allowed).
 */
export function toGrid(t: ArrayLike<number>, v: ArrayLike<number>, file = '(input)'): Grid {
  const n = t.length;
  if (n === 0) throw new CsvError(file, undefined, 'no data rows');
  const counts = new Map<number, number>();
  for (let i = 1; i < n; i++) {
    const d = Math.round((t[i] - t[i - 1]) * 1000) / 1000;
    if (d < 0) throw new CsvError(file, undefined, `timestamps go backwards at row ${i + 1}`);
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let step = 0;
  let best = -1;
  for (const [d, c] of counts) if (c > best || (c === best && d < step)) [step, best] = [d, c];
  if (step === 0) step = 60; // a single distinct timestamp: any step will do
  const start = t[0];
  const slots = Math.round((t[n - 1] - start) / step) + 1;
  if (slots > 50_000_000) throw new CsvError(file, undefined, `irregular timestamps: ${slots} slots at step ${step}s`);
  const values = new Float64Array(slots).fill(NaN);
  const rowIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.round((t[i] - start) / step);
    rowIndex[i] = k;
    if (Number.isFinite(v[i]) || !Number.isFinite(values[k])) values[k] = v[i];
  }
  return { start, step, values, rowIndex };
}
