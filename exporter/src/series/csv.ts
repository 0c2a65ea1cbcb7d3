/**
 * `timestamp,value` CSV files for the offline commands: the one reader `forecast`, `detect`,
 * `backtest` and `evaluate` share, so they accept and reject the same files. Timestamps are unix
 * seconds (integer or fractional), ISO-8601, or `YYYY-MM-DD HH:MM:SS` read as UTC (the NAB form).
 * Empty and NaN cells are gaps; a repeated timestamp keeps its last finite value. Rejected, with
 * the file and line: a cell that is not a timestamp or a number, a timestamp earlier than the row
 * before it, a value beyond MAX_ABS_VALUE, and a file too short to measure its step.
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

/**
 * The largest magnitude modelled. Models square and sum values (variances, least squares); at
 * 1e150 a square is 1e300 and a sum of a million of them is still finite, while values near
 * 1e308 overflow to Infinity and come out as empty or zero-width bands.
 */
export const MAX_ABS_VALUE = 1e150;

/**
 * Intervals the step is measured on: a prefix, so `detect` stays causal (rows after it cannot
 * change the step of rows before it) and a long file is not scanned twice.
 */
const STEP_PREFIX = 2000;

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

/**
 * NaN for empty / NaN / null / inf cells (gaps); a number written too large for a double comes
 * back as ±Infinity so the magnitude rule names it; undefined when the cell is not a number.
 */
function parseValue(text: string): number | undefined {
  const n = Number(text);
  // Number() accepts "" and whitespace as 0; anything else it accepts is a real number
  if (!Number.isNaN(n) && text.trim() !== '' && /\d/.test(text)) return n;
  const s = text.trim();
  if (s === '' || /^(nan|null|[+-]?inf(inity)?)$/i.test(s)) return NaN;
  return undefined;
}

const unquote = (cell: string) => (cell.includes('"') ? cell.trim().replace(/^"|"$/g, '') : cell.trim());

export function parseCsv(text: string, file: string, o: { short?: boolean } = {}): { rows: CsvRow[] } {
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
    if (Math.abs(v) > MAX_ABS_VALUE) {
      throw new CsvError(
        file,
        i + 1,
        `value ${cell} is beyond ±1e150, the largest magnitude modelled without overflow; rescale the column (e.g. to kilo- or mega-units)`,
      );
    }
    const previous = rows.at(-1);
    if (previous && t < previous.t) {
      throw new CsvError(
        file,
        i + 1,
        `timestamp ${raw} is earlier than ${previous.raw} on line ${previous.line}; rows must be in time order (sort the file by timestamp)`,
      );
    }
    rows.push({ raw, t, v, line: i + 1 });
  }
  if (o.short) {
    if (rows.length === 0) throw new CsvError(file, undefined, 'no data rows');
  } else checkLength(rows, file);
  return { rows };
}

/** Enough rows to measure a step and fit anything: two timestamps and two numbers, never a guess. */
function checkLength(rows: CsvRow[], file: string): void {
  if (rows.length === 0) throw new CsvError(file, undefined, 'no data rows');
  if (rows.at(-1)!.t === rows[0].t) {
    const where = rows.length === 1 ? 'one row' : `${rows.length} rows, all at ${rows[0].raw}`;
    throw new CsvError(file, rows[0].line, `${where}: at least two distinct timestamps are needed to measure the step`);
  }
  const numeric = rows.filter((r) => Number.isFinite(r.v));
  if (numeric.length < 2) {
    throw new CsvError(
      file,
      numeric[0]?.line,
      `${numeric.length === 0 ? 'no numeric value' : 'only one numeric value'} among ${rows.length} rows (the rest are empty or NaN); at least two are needed`,
    );
  }
}

/**
 * `short: true` accepts any file with at least one row (for `plan`, whose output for a file cut
 * after its first rows must equal the full file's first rows: causality is checked that way).
 */
export function readCsvFile(path: string, o: { short?: boolean } = {}): { rows: CsvRow[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CsvError(path, undefined, `cannot read file: ${(err as Error).message}`);
  }
  return parseCsv(text, path, o);
}

/** A file read and checked, with the regular grid its rows sit on. */
export interface CsvSeries {
  file: string;
  /** the rows as written, in time order (repeated timestamps kept) */
  rows: CsvRow[];
  grid: Grid;
}

/** Read one CSV file into rows and a regular grid, or throw a CsvError naming the file and line. */
export function readCsvSeries(path: string): CsvSeries {
  const { rows } = readCsvFile(path);
  const grid = toGrid(
    rows.map((r) => r.t),
    rows.map((r) => r.v),
    path,
  );
  return { file: path, rows, grid };
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
 * The step of a series: the most common positive spacing (to the millisecond) between consecutive
 * timestamps among the first STEP_PREFIX, the shorter on a tie. Timestamps must be in time order.
 */
export function inferStep(t: ArrayLike<number>, file = '(input)'): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < Math.min(t.length, STEP_PREFIX + 1); i++) {
    const d = Math.round((t[i] - t[i - 1]) * 1000) / 1000;
    if (d < 0) throw new CsvError(file, undefined, `timestamps go backwards at row ${i + 1}`);
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let step = 0;
  let best = 0;
  for (const [d, c] of counts) if (c > best || (c === best && d < step)) [step, best] = [d, c];
  if (step === 0)
    throw new CsvError(file, undefined, 'at least two distinct timestamps are needed to measure the step');
  return step;
}

/**
 * Put points on a regular grid at the inferred step. Duplicates keep the last finite value;
 * points off the grid snap to the nearest slot; missing slots are NaN. Input must be in time
 * order (equal times allowed).
 */
export function toGrid(t: ArrayLike<number>, v: ArrayLike<number>, file = '(input)'): Grid {
  const n = t.length;
  if (n === 0) throw new CsvError(file, undefined, 'no data rows');
  for (let i = 1; i < n; i++) {
    if (t[i] < t[i - 1]) throw new CsvError(file, undefined, `timestamps go backwards at row ${i + 1}`);
  }
  const step = inferStep(t, file);
  const start = t[0];
  const slots = Math.round((t[n - 1] - start) / step) + 1;
  if (slots > 50_000_000) {
    throw new CsvError(file, undefined, `irregular timestamps: ${slots} slots at the most common step of ${step}s`);
  }
  const values = new Float64Array(slots).fill(NaN);
  const rowIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.round((t[i] - start) / step);
    rowIndex[i] = k;
    if (Number.isFinite(v[i]) || !Number.isFinite(values[k])) values[k] = v[i];
  }
  return { start, step, values, rowIndex };
}
