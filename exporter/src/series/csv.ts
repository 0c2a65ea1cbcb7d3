/**
 * `timestamp,value` CSV files for the offline commands: the one reader every command that reads
 * CSV shares (`forecast`, `detect`, `backtest`, `evaluate`, `plan`, `scale-sim`), so they accept
 * and reject the same files. Timestamps are unix seconds (integer or fractional), ISO-8601, or
 * `YYYY-MM-DD HH:MM:SS` read as UTC (the NAB form). Empty and NaN cells are gaps. Rows out of time
 * order are sorted stably by time and a repeated timestamp keeps its last finite value, with one
 * warning per file (`orderWarning`), because real corpora (NAB's among them) ship both; with
 * `strictOrder` either is an error. Rejected, with the file and line: a cell that is not a
 * timestamp or a number, a value beyond MAX_ABS_VALUE, and a file too short to measure its step.
 */
import { readFileSync } from 'node:fs';
import { parseTimestamp, parseValue, plainCell, plainDecimal, plainSeconds, unquote } from './csv-cells.js';

export { parseTimestamp };

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

/** Where rows were out of time order or repeated a timestamp (all counts 0 for a tidy file). */
export interface RowOrder {
  /** rows with a timestamp earlier than a row above them in the file */
  outOfOrder: number;
  /** the first of them and the row just above it */
  firstOutOfOrder?: { row: CsvRow; after: CsvRow };
  /** rows whose timestamp a line above them already had */
  repeated: number;
  /** the first of them (by line) and the first line with its timestamp */
  firstRepeated?: { row: CsvRow; of: CsvRow };
}

export interface CsvReadOptions {
  /** accept a file with a single row (see readCsvFile) */
  short?: boolean;
  /** rows out of time order and repeated timestamps are errors instead of being sorted and warned about */
  strictOrder?: boolean;
}

/**
 * A file's rows in time order (rows of one timestamp in file order: a stable sort), kept as
 * columns; `rows` builds the row objects on first use, which most callers never need.
 */
export class CsvFile {
  private built: CsvRow[] | undefined;
  order: RowOrder = { outOfOrder: 0, repeated: 0 };

  constructor(
    private readonly text: string,
    /** unix seconds of each row */
    readonly t: Float64Array,
    /** each row's value, NaN for empty / NaN cells */
    readonly v: Float64Array,
    /** each row's 1-based line in the file */
    readonly lines: Int32Array,
    /** where each row's timestamp cell is in the text */
    private readonly cells: Int32Array,
    /** timestamps that needed unquoting, by line */
    private readonly unquoted: Map<number, string>,
  ) {}

  get length(): number {
    return this.t.length;
  }

  /** row i's timestamp exactly as written */
  raw(i: number): string {
    return this.unquoted.get(this.lines[i]) ?? this.text.slice(this.cells[2 * i], this.cells[2 * i + 1]);
  }

  /** the first row's timestamp as written (its style is the style of timestamps written back) */
  get firstTimestamp(): string {
    return this.raw(0);
  }

  row(i: number): CsvRow {
    return { raw: this.raw(i), t: this.t[i], v: this.v[i], line: this.lines[i] };
  }

  get rows(): CsvRow[] {
    this.built ??= Array.from({ length: this.length }, (_, i) => this.row(i));
    return this.built;
  }
}

const STRICT_HINT = 'rows must be in time order with one row per timestamp (--strict-order)';

export function parseCsv(text: string, file: string, o: CsvReadOptions = {}): CsvFile {
  const firstBreak = text.indexOf('\n');
  const header = text
    .slice(0, firstBreak === -1 ? text.length : firstBreak)
    .replace(/^\uFEFF/, '')
    .trim();
  const columns = header.split(',').map((c) => unquote(c).toLowerCase());
  const ti = columns.indexOf('timestamp');
  const vi = columns.indexOf('value');
  if (ti === -1 || vi === -1) {
    throw new CsvError(file, 1, `expected a header with columns timestamp,value; got "${header.slice(0, 80)}"`);
  }
  let capacity = 1;
  for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) capacity++;
  const t = new Float64Array(capacity);
  const v = new Float64Array(capacity);
  const lines = new Int32Array(capacity);
  const cells = new Int32Array(2 * capacity);
  const unquoted = new Map<number, string>();
  const raw = (i: number) => unquoted.get(lines[i]) ?? text.slice(cells[2 * i], cells[2 * i + 1]);
  let n = 0;
  let outOfOrder = 0;
  let firstLate = -1;
  let latest = -Infinity;
  let lineNumber = 1;
  // one pass over the text with indexOf: no array of lines, no array of cells per row
  for (let start = firstBreak === -1 ? text.length : firstBreak + 1; start < text.length;) {
    lineNumber++;
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    const lead = text.charCodeAt(start);
    if (end === start || ((lead <= 32 || lead >= 127) && text.slice(start, end).trim() === '')) {
      start = next;
      continue;
    }
    // the start and end of the timestamp and value cells, checking the line has every column
    let tFrom = -1;
    let tTo = -1;
    let vFrom = -1;
    let vTo = -1;
    let cellStart = start;
    let count = 0;
    while (count < columns.length) {
      let comma = text.indexOf(',', cellStart);
      if (comma === -1 || comma > end) comma = end;
      if (count === ti) [tFrom, tTo] = [cellStart, comma];
      if (count === vi) [vFrom, vTo] = [cellStart, comma];
      count++;
      if (comma === end) break;
      cellStart = comma + 1;
    }
    if (count < columns.length) {
      const line = text.slice(start, end);
      throw new CsvError(
        file,
        lineNumber,
        `expected ${columns.length} columns, got ${line.split(',').length}: "${line.slice(0, 80)}"`,
      );
    }
    const plainTime = plainCell(text, tFrom, tTo);
    if (!plainTime) unquoted.set(lineNumber, unquote(text.slice(tFrom, tTo)));
    lines[n] = lineNumber;
    cells[2 * n] = tFrom;
    cells[2 * n + 1] = tTo;
    let time = plainTime ? plainSeconds(text, tFrom, tTo) : NaN;
    if (time !== time) time = parseTimestamp(raw(n));
    if (!Number.isFinite(time)) {
      throw new CsvError(file, lineNumber, `cannot read timestamp "${raw(n)}" (expected unix seconds or ISO-8601)`);
    }
    const plainValue = plainCell(text, vFrom, vTo);
    let value = plainValue ? plainDecimal(text, vFrom, vTo) : NaN;
    if (value !== value) {
      const cell = plainValue ? text.slice(vFrom, vTo) : unquote(text.slice(vFrom, vTo));
      const read = parseValue(cell);
      if (read === undefined) throw new CsvError(file, lineNumber, `cannot read value "${cell}" (expected a number)`);
      if (Math.abs(read) > MAX_ABS_VALUE) {
        throw new CsvError(
          file,
          lineNumber,
          `value ${cell} is beyond ±1e150, the largest magnitude modelled without overflow; rescale the column (e.g. to kilo- or mega-units)`,
        );
      }
      value = read;
    }
    if (time < latest) {
      if (o.strictOrder) {
        throw new CsvError(
          file,
          lineNumber,
          `timestamp ${raw(n)} is earlier than ${raw(n - 1)} on line ${lines[n - 1]}; ${STRICT_HINT}`,
        );
      }
      outOfOrder++;
      if (firstLate === -1) firstLate = n;
    } else if (o.strictOrder && time === latest) {
      throw new CsvError(file, lineNumber, `timestamp ${raw(n)} repeats line ${lines[n - 1]}; ${STRICT_HINT}`);
    } else latest = time;
    t[n] = time;
    v[n] = value;
    n++;
    start = next;
  }
  // the offending rows are named as written, before the sort moves them
  const late = firstLate === -1 ? undefined : { row: rowOf(firstLate), after: rowOf(firstLate - 1) };
  function rowOf(i: number): CsvRow {
    return { raw: raw(i), t: t[i], v: v[i], line: lines[i] };
  }
  const csv = new CsvFile(text, t.subarray(0, n), v.subarray(0, n), lines.subarray(0, n), cells, unquoted);
  if (outOfOrder > 0) sortByTime(csv, cells.subarray(0, 2 * n));
  if (o.short) {
    if (n === 0) throw new CsvError(file, undefined, 'no data rows');
  } else checkLength(csv, file);
  csv.order = { outOfOrder, firstOutOfOrder: late, ...repeats(csv) };
  return csv;
}

/** Sort the columns stably by time (ties keep file order), in place. */
function sortByTime(csv: CsvFile, cells: Int32Array): void {
  const { t, v, lines } = csv;
  const order = Array.from({ length: csv.length }, (_, i) => i).sort((a, b) => t[a] - t[b] || lines[a] - lines[b]);
  const columns = [t, v, lines].map((c) => c.slice());
  const spans = cells.slice();
  order.forEach((from, to) => {
    t[to] = columns[0][from];
    v[to] = columns[1][from];
    lines[to] = columns[2][from];
    cells[2 * to] = spans[2 * from];
    cells[2 * to + 1] = spans[2 * from + 1];
  });
}

/** Rows (in time order) whose timestamp a line above them already had. */
function repeats(csv: CsvFile): Pick<RowOrder, 'repeated' | 'firstRepeated'> {
  const { t, lines } = csv;
  let repeated = 0;
  let first = -1;
  let of = -1;
  for (let i = 1, group = 0; i < t.length; i++) {
    if (t[i] !== t[group]) {
      group = i;
      continue;
    }
    repeated++;
    if (first === -1 || lines[i] < lines[first]) [first, of] = [i, group];
  }
  return { repeated, firstRepeated: first === -1 ? undefined : { row: csv.row(first), of: csv.row(of) } };
}

/**
 * The one warning a file with rows out of order or repeated timestamps gets, naming its first
 * such line and the counts; undefined for a tidy file.
 */
export function orderWarning(file: string, order: RowOrder): string | undefined {
  const { outOfOrder, firstOutOfOrder: late, repeated, firstRepeated: again } = order;
  if (outOfOrder === 0 && repeated === 0) return undefined;
  const parts: string[] = [];
  if (late) {
    parts.push(
      `${outOfOrder} ${outOfOrder === 1 ? 'row' : 'rows'} out of time order (first: timestamp ${late.row.raw} on line ${late.row.line} is earlier than ${late.after.raw} on line ${late.after.line})`,
    );
  }
  if (again) {
    parts.push(
      `${repeated} repeated ${repeated === 1 ? 'timestamp' : 'timestamps'} (first: ${again.row.raw} on line ${again.row.line} repeats line ${again.of.line})`,
    );
  }
  const line = Math.min(late?.row.line ?? Infinity, again?.row.line ?? Infinity);
  return (
    `${file}:${line}: warning: ${parts.join(' and ')}; read in time order, a repeated timestamp taking ` +
    'its last number (--strict-order makes this an error)'
  );
}

/** Enough rows to measure a step and fit anything: two timestamps and two numbers, never a guess. */
function checkLength(csv: CsvFile, file: string): void {
  const { t, v, lines } = csv;
  const n = csv.length;
  if (n === 0) throw new CsvError(file, undefined, 'no data rows');
  if (t[n - 1] === t[0]) {
    const where = n === 1 ? 'one row' : `${n} rows, all at ${csv.raw(0)}`;
    throw new CsvError(file, lines[0], `${where}: at least two distinct timestamps are needed to measure the step`);
  }
  let numeric = 0;
  let firstNumeric = -1;
  for (let i = 0; i < n && numeric < 2; i++) {
    if (Number.isFinite(v[i])) {
      numeric++;
      if (firstNumeric === -1) firstNumeric = i;
    }
  }
  if (numeric < 2) {
    throw new CsvError(
      file,
      firstNumeric === -1 ? undefined : lines[firstNumeric],
      `${numeric === 0 ? 'no numeric value' : 'only one numeric value'} among ${n} rows (the rest are empty or NaN); at least two are needed`,
    );
  }
}

/**
 * `short: true` accepts any file with at least one row (for `plan`, whose output for a file cut
 * after its first rows must equal the full file's first rows: causality is checked that way).
 */
export function readCsvFile(path: string, o: CsvReadOptions = {}): CsvFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CsvError(path, undefined, `cannot read file: ${(err as Error).message}`);
  }
  return parseCsv(text, path, o);
}

/** A file read and checked, with the regular grid its rows sit on. */
export interface CsvSeries extends CsvFile {
  file: string;
  grid: Grid;
}

/** Read one CSV file into rows and a regular grid, or throw a CsvError naming the file and line. */
export function readCsvSeries(path: string, o: Pick<CsvReadOptions, 'strictOrder'> = {}): CsvSeries {
  const csv = readCsvFile(path, o);
  return Object.assign(csv, { file: path, grid: toGrid(csv.t, csv.v, path) });
}

export interface Grid {
  /** unix seconds of values[0] */
  start: number;
  /** seconds */
  step: number;
  /** one slot per step; NaN for gaps */
  values: Float64Array;
  /** for each row (in time order), its slot in `values` */
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
