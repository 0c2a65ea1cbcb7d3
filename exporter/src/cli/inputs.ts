/**
 * The offline commands take a CSV file or a directory of them. A directory is searched
 * recursively and its layout is mirrored under the output directory, so NAB-style
 * `<category>/<file>.csv` trees round-trip.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { orderWarning, readCsvFile, readCsvSeries, type CsvFile, type CsvSeries } from '../series/csv.js';
import type { FlagSpec, ParsedFlags } from './args.js';
import type { CommandContext } from './types.js';
import { UsageError } from './types.js';

/** The flag every command that reads CSV takes, and its line in their usage texts. */
export const STRICT_ORDER_FLAG: FlagSpec = { name: 'strict-order', type: 'boolean' };
export const STRICT_ORDER_USAGE = `  --strict-order   rows out of time order or a repeated timestamp are an error naming the file and line
                   (default: rows are sorted by time, a repeated timestamp keeps its last number, and
                   each such file gets one warning with its first such line and the counts)`;

/** How a command reads its CSV files: the shared reader, with the order rule its flags ask for. */
export interface CsvReader {
  /** rows in time order (see series/csv.ts); `short` accepts a single row */
  file(path: string, o?: { short?: boolean }): CsvFile;
  /** rows and the regular grid they sit on */
  series(path: string): CsvSeries;
}

/** The reader for a command's --strict-order flag; a file sorted or with repeats is warned about on stderr once. */
export function csvReader(flags: ParsedFlags, ctx: CommandContext, command: string): CsvReader {
  const strictOrder = flags['strict-order'] === true;
  const warn = <T extends CsvFile>(path: string, read: T): T => {
    const warning = orderWarning(path, read.order);
    if (warning) ctx.stderr.write(`cloudpulse ${command}: ${warning}\n`);
    return read;
  };
  return {
    file: (path, o = {}) => warn(path, readCsvFile(path, { ...o, strictOrder })),
    series: (path) => warn(path, readCsvSeries(path, { strictOrder })),
  };
}

export interface CsvInput {
  path: string;
  /** path relative to the input directory ("" parent for a single file) */
  relative: string;
}

export function listCsvInputs(path: string): { inputs: CsvInput[]; isDirectory: boolean } {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`--input ${path}: no such file or directory`);
  }
  if (!st.isDirectory()) return { inputs: [{ path, relative: path.split(/[/\\]/).pop()! }], isDirectory: false };
  const inputs: CsvInput[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.toLowerCase().endsWith('.csv')) inputs.push({ path: full, relative: relative(path, full) });
    }
  };
  walk(path);
  if (inputs.length === 0) throw new UsageError(`--input ${path}: no .csv files found`);
  return { inputs, isDirectory: true };
}

/** A CSV input read and checked by the shared reader, named by its path under the input. */
export interface InputSeries extends CsvSeries {
  relative: string;
}

/**
 * Every series under `path` (a CSV file or a directory searched recursively) on its regular grid,
 * or the first file's error, naming the file and line (see series/csv.ts for the rules).
 */
export function readCsvInput(path: string, reader: CsvReader): InputSeries[] {
  // assigned, not spread: the rows are built on first use, by a getter a spread would call
  return listCsvInputs(path).inputs.map((input) =>
    Object.assign(reader.series(input.path), { relative: input.relative }),
  );
}

/** An error met on one input, naming the file once (reader errors already start with it). */
export function inputError(path: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(`${path}:`) ? message : `${path}: ${message}`;
}

/**
 * Where results go: stdout for a single file without --output, else files. File writes run in the
 * background (bounded) so a directory of small results is not paced by the disk.
 */
export class ResultWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly made = new Set<string>();
  readonly failures: string[] = [];

  constructor(
    private readonly ctx: CommandContext,
    private readonly output: string | undefined,
    private readonly isDirectory: boolean,
    private readonly maxInFlight = 32,
  ) {}

  async write(input: CsvInput, text: string): Promise<void> {
    if (!this.output) {
      this.ctx.stdout.write(text);
      return;
    }
    const target = this.isDirectory ? join(this.output, input.relative) : this.output;
    const dir = dirname(target);
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    if (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    const job: Promise<void> = writeFile(target, text)
      .catch((err: Error) => void this.failures.push(`${target}: ${err.message}`))
      .finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
  }

  /** waits for every write; returns the number that failed (reported on stderr) */
  async close(command: string): Promise<number> {
    await Promise.all(this.inFlight);
    for (const f of this.failures) this.ctx.stderr.write(`cloudpulse ${command}: cannot write ${f}\n`);
    return this.failures.length;
  }
}

/** A progress line on stderr every ~10% (or per file when interactive). */
export function progress(ctx: CommandContext, total: number, what: string) {
  let lastDecile = -1;
  const t0 = performance.now();
  return (done: number) => {
    if (total < 2) return;
    const decile = Math.floor((done / total) * 10);
    if (ctx.interactive) {
      const pct = Math.round((done / total) * 100);
      const bar = '#'.repeat(Math.round(pct / 5)).padEnd(20, '.');
      ctx.stderr.write(`\r${what} [${bar}] ${done}/${total} ${pct}%${done === total ? '\n' : ''}`);
    } else if (decile !== lastDecile || done === total) {
      lastDecile = decile;
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      ctx.stderr.write(`${what}: ${done}/${total} (${secs}s)\n`);
    }
  };
}
