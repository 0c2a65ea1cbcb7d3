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

/** A cell that unquote() would leave as it is: no space, quote or non-ASCII character at either end. */
function plainCell(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  const a = text.charCodeAt(from);
  const b = text.charCodeAt(to - 1);
  return a > 32 && a !== 34 && a < 127 && b > 32 && b !== 34 && b < 127;
}

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

export interface CsvFile {
  /** every row, in time order; rows of one timestamp stay in file order (a stable sort) */
  rows: CsvRow[];
  order: RowOrder;
}

export interface CsvReadOptions {
  /** accept a file with a single row (see readCsvFile) */
  short?: boolean;
  /** rows out of time order and repeated timestamps are errors instead of being sorted and warned about */
  strictOrder?: boolean;
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
  const rows: CsvRow[] = [];
  let outOfOrder = 0;
  let firstOutOfOrder: RowOrder['firstOutOfOrder'];
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
    let cells = 0;
    while (cells < columns.length) {
      let comma = text.indexOf(',', cellStart);
      if (comma === -1 || comma > end) comma = end;
      if (cells === ti) [tFrom, tTo] = [cellStart, comma];
      if (cells === vi) [vFrom, vTo] = [cellStart, comma];
      cells++;
      if (comma === end) break;
      cellStart = comma + 1;
    }
    if (cells < columns.length) {
      const line = text.slice(start, end);
      throw new CsvError(
        file,
        lineNumber,
        `expected ${columns.length} columns, got ${line.split(',').length}: "${line.slice(0, 80)}"`,
      );
    }
    const rawCell = text.slice(tFrom, tTo);
    const plain = plainCell(text, tFrom, tTo);
    const raw = plain ? rawCell : unquote(rawCell);
    // unix seconds written as plain digits, by far the most common form, read without Number()
    let t = 0;
    let k = tFrom;
    for (; k < tTo; k++) {
      const digit = text.charCodeAt(k) - 48;
      if (digit < 0 || digit > 9) break;
      t = t * 10 + digit;
    }
    if (!plain || k < tTo || tTo - tFrom > 15) t = parseTimestamp(raw);
    else if (t > 1e11) t /= 1000;
    if (!Number.isFinite(t)) {
      throw new CsvError(file, lineNumber, `cannot read timestamp "${raw}" (expected unix seconds or ISO-8601)`);
    }
    const valueCell = text.slice(vFrom, vTo);
    const cell = plainCell(text, vFrom, vTo) ? valueCell : unquote(valueCell);
    const first = cell.charCodeAt(0);
    // a cell starting with a digit is a number whenever Number() reads it (the common case)
    const quick = first >= 48 && first <= 57 ? Number(cell) : NaN;
    const v = quick === quick ? quick : parseValue(cell);
    if (v === undefined) throw new CsvError(file, lineNumber, `cannot read value "${cell}" (expected a number)`);
    if (Math.abs(v) > MAX_ABS_VALUE) {
      throw new CsvError(
        file,
        lineNumber,
        `value ${cell} is beyond ±1e150, the largest magnitude modelled without overflow; rescale the column (e.g. to kilo- or mega-units)`,
      );
    }
    const row: CsvRow = { raw, t, v, line: lineNumber };
    if (t < latest) {
      const previous = rows[rows.length - 1];
      if (o.strictOrder) {
        throw new CsvError(
          file,
          lineNumber,
          `timestamp ${raw} is earlier than ${previous.raw} on line ${previous.line}; ${STRICT_HINT}`,
        );
      }
      outOfOrder++;
      firstOutOfOrder ??= { row, after: previous };
    } else if (o.strictOrder && t === latest) {
      const previous = rows[rows.length - 1];
      throw new CsvError(file, lineNumber, `timestamp ${raw} repeats line ${previous.line}; ${STRICT_HINT}`);
    } else latest = t;
    rows.push(row);
    start = next;
  }
  const sorted = outOfOrder > 0 ? sortByTime(rows) : rows;
  if (o.short) {
    if (sorted.length === 0) throw new CsvError(file, undefined, 'no data rows');
  } else checkLength(sorted, file);
  return { rows: sorted, order: { outOfOrder, firstOutOfOrder, ...repeats(sorted) } };
}

/** A stable sort by time: rows of one timestamp keep their file order. */
function sortByTime(rows: CsvRow[]): CsvRow[] {
  return [...rows].sort((a, b) => a.t - b.t || a.line - b.line);
}

/** Rows (in time order) whose timestamp a line above them already had. */
function repeats(rows: CsvRow[]): Pick<RowOrder, 'repeated' | 'firstRepeated'> {
  let repeated = 0;
  let firstRepeated: RowOrder['firstRepeated'];
  for (let i = 1, first = 0; i < rows.length; i++) {
    if (rows[i].t !== rows[first].t) {
      first = i;
      continue;
    }
    repeated++;
    if (!firstRepeated || rows[i].line < firstRepeated.row.line) firstRepeated = { row: rows[i], of: rows[first] };
  }
  return { repeated, firstRepeated };
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
function checkLength(rows: CsvRow[], file: string): void {
  if (rows.length === 0) throw new CsvError(file, undefined, 'no data rows');
  if (rows.at(-1)!.t === rows[0].t) {
    const where = rows.length === 1 ? 'one row' : `${rows.length} rows, all at ${rows[0].raw}`;
    throw new CsvError(file, rows[0].line, `${where}: at least two distinct timestamps are needed to measure the step`);
  }
  let numeric = 0;
  let firstNumeric: CsvRow | undefined;
  for (let i = 0; i < rows.length && numeric < 2; i++) {
    if (Number.isFinite(rows[i].v)) {
      numeric++;
      firstNumeric ??= rows[i];
    }
  }
  if (numeric < 2) {
    throw new CsvError(
      file,
      firstNumeric?.line,
      `${numeric === 0 ? 'no numeric value' : 'only one numeric value'} among ${rows.length} rows (the rest are empty or NaN); at least two are needed`,
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
  const { rows, order } = readCsvFile(path, o);
  const t = new Float64Array(rows.length);
  const v = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    t[i] = rows[i].t;
    v[i] = rows[i].v;
  }
  return { file: path, rows, order, grid: toGrid(t, v, path) };
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
