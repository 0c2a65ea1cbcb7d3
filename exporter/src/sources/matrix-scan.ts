/**
 * A query_range answer's `result` array read straight from the response bytes. JSON.parse builds
 * an array and a string per sample that are dropped at once; at 200k samples per chunk that is
 * most of the main thread's time during a first load of 10k series, and it holds the event loop
 * (scrapes wait). This scanner is about 4x faster (bench/scale.ts measures the load). It only
 * handles the shape it expects; anything else returns undefined and the caller uses JSON.parse.
 * The envelope (status, resultType, warnings) still goes through JSON.parse, with the result
 * array cut out, so its checks and messages stay the same.
 */
import type { Labels } from './types.js';

export interface ScannedSeries {
  metric: Labels;
  timestamps: number[];
  values: number[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const BACKSLASH = 0x5c;
const MARKER = '"result":';

class Unexpected extends Error {}

/** 1e0..1e22, each exact as a double */
const POWERS = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** how long the scan runs before it lets other work in, when given a way to (`pause`) */
const SLICE_MS = 10;

/**
 * The result array and the envelope without it, or undefined when the body is not the usual
 * shape. With `pause`, the scan awaits it every few milliseconds: an 8 MB answer takes about
 * 60 ms, and a scrape arriving meanwhile should not wait for all of it.
 */
export async function scanMatrix(
  bytes: Buffer,
  pause?: () => Promise<void>,
): Promise<{ envelope: unknown; result: ScannedSeries[] } | undefined> {
  // one decode, then charCodeAt and slices: per-sample Buffer.toString calls cost 3x more
  const body = bytes.toString('utf8');
  const at = body.indexOf(MARKER);
  if (at < 0) return undefined;
  const scanner = new Scanner(body, at + MARKER.length);
  let result: ScannedSeries[];
  try {
    result = await scanner.results(pause);
  } catch (err) {
    if (err instanceof Unexpected) return undefined;
    throw err;
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(body.slice(0, at + MARKER.length) + '[]' + body.slice(scanner.pos));
  } catch {
    return undefined;
  }
  return { envelope, result };
}

class Scanner {
  constructor(
    private readonly b: string,
    public pos: number,
  ) {}

  async results(pause?: () => Promise<void>): Promise<ScannedSeries[]> {
    const out: ScannedSeries[] = [];
    this.expect(OPEN_ARRAY);
    if (this.peek() === CLOSE_ARRAY) {
      this.pos++;
      return out;
    }
    let sliceEnd = performance.now() + SLICE_MS;
    for (;;) {
      out.push(this.series());
      if (this.separator(CLOSE_ARRAY)) return out;
      if (pause && performance.now() > sliceEnd) {
        await pause();
        sliceEnd = performance.now() + SLICE_MS;
      }
    }
  }

  private series(): ScannedSeries {
    this.expect(OPEN_OBJECT);
    let metric: Labels | undefined;
    let timestamps: number[] = [];
    let values: number[] = [];
    if (this.peek() !== CLOSE_OBJECT) {
      for (;;) {
        const key = this.key();
        if (key === 'metric') {
          const start = this.skipSpace();
          this.skipValue();
          metric = JSON.parse(this.b.slice(start, this.pos)) as Labels;
          if (metric === null || typeof metric !== 'object' || Array.isArray(metric)) throw new Unexpected();
        } else if (key === 'values') [timestamps, values] = this.samples();
        else this.skipValue();
        if (this.separator(CLOSE_OBJECT)) break;
      }
    } else this.pos++;
    if (!metric) throw new Unexpected();
    return { metric, timestamps, values };
  }

  /** [[t,"v"],...] */
  private samples(): [number[], number[]] {
    const timestamps: number[] = [];
    const values: number[] = [];
    this.expect(OPEN_ARRAY);
    if (this.peek() === CLOSE_ARRAY) {
      this.pos++;
      return [timestamps, values];
    }
    for (;;) {
      this.expect(OPEN_ARRAY);
      timestamps.push(this.number());
      this.expect(COMMA);
      values.push(this.value());
      this.expect(CLOSE_ARRAY);
      if (this.separator(CLOSE_ARRAY)) return [timestamps, values];
    }
  }

  /** a JSON number; whole numbers (the usual timestamp) without making a string */
  private number(): number {
    const b = this.b;
    const start = this.skipSpace();
    let i = start;
    let whole = 0;
    for (let c = b.charCodeAt(i); c >= 0x30 && c <= 0x39; c = b.charCodeAt(++i)) whole = whole * 10 + (c - 0x30);
    let end = i;
    while (isNumberChar(b.charCodeAt(end))) end++;
    if (end === start) throw new Unexpected();
    this.pos = end;
    // past 15 digits a double may round differently from Number(): let Number() decide
    if (end === i && i - start <= 15) return whole;
    const n = Number(b.slice(start, end));
    if (Number.isNaN(n)) throw new Unexpected();
    return n;
  }

  /**
   * A sample value: a plain decimal whose digits make an integer below 2^53 is that integer over
   * a power of ten, which is what Number() gives (both are exact doubles, and one division
   * rounds once: Clinger's fast path), only faster. Anything else (exponents, NaN, Inf, 17
   * digits) goes to Number().
   */
  private value(): number {
    const b = this.b;
    this.expect(QUOTE);
    let i = this.pos;
    const negative = b.charCodeAt(i) === 0x2d;
    if (negative) i++;
    let mantissa = 0;
    let scale = -1;
    for (let c = b.charCodeAt(i); ; c = b.charCodeAt(++i)) {
      if (c >= 0x30 && c <= 0x39) mantissa = mantissa * 10 + (c - 0x30);
      else if (c === 0x2e && scale < 0) scale = i;
      else break;
    }
    const decimals = scale < 0 ? 0 : i - scale - 1;
    const plain = i > this.pos + (negative ? 1 : 0) && (scale < 0 || decimals > 0);
    if (b.charCodeAt(i) === QUOTE && plain && mantissa < 2 ** 53 && decimals < POWERS.length) {
      this.pos = i + 1;
      const v = mantissa / POWERS[decimals];
      return negative ? -v : v;
    }
    this.pos--;
    return sampleValue(this.string());
  }

  /** a string without escapes (sample values never have any) */
  private string(): string {
    this.expect(QUOTE);
    const start = this.pos;
    const end = this.b.indexOf('"', start);
    if (end < 0) throw new Unexpected();
    for (let i = start; i < end; i++) if (this.b.charCodeAt(i) === BACKSLASH) throw new Unexpected();
    this.pos = end + 1;
    return this.b.slice(start, end);
  }

  private key(): string {
    const key = this.string();
    this.expect(COLON);
    return key;
  }

  /** past one JSON value of any kind: strings may hold brackets and escaped quotes */
  private skipValue(): void {
    const b = this.b;
    let i = this.skipSpace();
    let depth = 0;
    for (; i < b.length; i++) {
      const c = b.charCodeAt(i);
      if (c === QUOTE) {
        for (i++; i < b.length && b.charCodeAt(i) !== QUOTE; i++) if (b.charCodeAt(i) === BACKSLASH) i++;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
      else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (depth === 0) break;
        if (--depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && (c === COMMA || isSpace(c))) break;
    }
    if (i > b.length || depth !== 0 || i === this.pos) throw new Unexpected();
    this.pos = i;
  }

  /** a comma (true: more follows) or `close` (false) */
  private separator(close: number): boolean {
    const c = this.b.charCodeAt(this.skipSpace());
    this.pos++;
    if (c === close) return true;
    if (c !== COMMA) throw new Unexpected();
    return false;
  }

  private expect(c: number): void {
    if (this.b.charCodeAt(this.skipSpace()) !== c) throw new Unexpected();
    this.pos++;
  }

  private peek(): number {
    return this.b.charCodeAt(this.skipSpace());
  }

  private skipSpace(): number {
    while (isSpace(this.b.charCodeAt(this.pos))) this.pos++;
    return this.pos;
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isNumberChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;

/** Prometheus' sample value text to a number ("NaN", "+Inf", "-Inf" included) */
export function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text); // "NaN" -> NaN
}
