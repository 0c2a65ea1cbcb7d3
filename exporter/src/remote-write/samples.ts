/**
 * Remote-write samples read from a record's pre-rendered exposition lines: the very bytes
 * `/metrics` concatenates, so the series and values written are those a scrape would get at the
 * same moment, with no second computation to drift from it. A line is
 * `family{name="value",...} value` as store/exposition.ts writes it (label names already legal,
 * values escaped, the value finite).
 */

export interface Label {
  name: string;
  value: string;
}

export interface Sample {
  value: number;
  /** unix milliseconds */
  timestamp: number;
  /** send Prometheus' staleness marker instead of `value` */
  stale?: boolean;
}

export interface TimeSeries {
  labels: Label[];
  samples: Sample[];
}

/**
 * Prometheus' staleness marker: a NaN with this exact bit pattern tells the receiver the series
 * ended (as a scrape that no longer finds it does). Other NaNs are ordinary values. It is a
 * signalling NaN, which V8 may turn into a quiet one whenever it stores a number (a double array
 * does), so it is never held as a JS number here: the encoder writes its bits (encoder.ts).
 */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

export function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function unescape(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * One exposition line as labels (`__name__` first as written, then the line's own) and its value;
 * undefined for a blank line. Throws on a line that is not a sample, which would be a renderer bug.
 */
export function parseSampleLine(line: string): { labels: Label[]; value: number } | undefined {
  if (line === '') return undefined;
  const brace = line.indexOf('{');
  const space = line.lastIndexOf(' ');
  if (space <= 0) throw new Error(`not an exposition sample line: ${JSON.stringify(line.slice(0, 200))}`);
  const value = parseValue(line.slice(space + 1));
  if (brace === -1 || brace > space) return { labels: [{ name: '__name__', value: line.slice(0, space) }], value };
  const labels: Label[] = [{ name: '__name__', value: line.slice(0, brace) }];
  let at = brace + 1;
  const bad = () => new Error(`bad labels in exposition line: ${JSON.stringify(line.slice(0, 200))}`);
  while (line[at] !== '}') {
    const eq = line.indexOf('="', at);
    if (eq === -1 || eq > space) throw bad();
    const name = line.slice(at, eq);
    // the value ends at the first quote not escaped by a backslash
    let end = eq + 2;
    while (end < space && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
    if (end >= space) throw bad();
    labels.push({ name, value: unescape(line.slice(eq + 2, end)) });
    at = line[end + 1] === ',' ? end + 2 : end + 1;
  }
  return { labels, value };
}

/** The part of a sample line that names the series (everything before the value). */
export function seriesIdentity(line: string): string {
  return line.slice(0, line.lastIndexOf(' '));
}

const byName = (a: Label, b: Label) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The label set as remote write 1.0 wants it: sorted by name, no empty values, and the external
 * labels added where the series does not already carry that name (the series' own labels win, as
 * in Prometheus).
 */
export function withExternalLabels(labels: Label[], external: Label[]): Label[] {
  const out = labels.filter((l) => l.value !== '');
  for (const e of external) if (!out.some((l) => l.name === e.name)) out.push(e);
  return out.sort(byName);
}

/** Sample lines of exposition bytes, in order. */
export function sampleLines(text: Uint8Array): string[] {
  const all = Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8').split('\n');
  return all.filter((line) => line !== '');
}

/** Number of sample lines in exposition bytes (each ends with a newline). */
export function countLines(text: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === 10) n++;
  return n;
}

const encoder = new TextEncoder();

/**
 * The lines of `before` whose series `after` no longer has (an ETA that stopped crossing, a
 * family switched off), as exposition bytes, for staleness markers; undefined when none.
 */
export function vanishedLines(before: Uint8Array, after: Uint8Array): Uint8Array | undefined {
  const kept = new Set(sampleLines(after).map(seriesIdentity));
  const gone = sampleLines(before).filter((line) => !kept.has(seriesIdentity(line)));
  return gone.length > 0 ? encoder.encode(gone.map((l) => `${l}\n`).join('')) : undefined;
}
