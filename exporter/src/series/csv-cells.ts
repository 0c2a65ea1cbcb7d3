/**
 * Reading the cells of a `timestamp,value` CSV file (the reader is series/csv.ts). Pure
 * functions; the `plain*` ones read a cell in place in the file's text, without cutting it out,
 * for the forms nearly every file uses (unix seconds, plain decimals), and give NaN for any other
 * form, which the general functions then read.
 */

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
export function parseValue(text: string): number | undefined {
  const n = Number(text);
  // Number() accepts "" and whitespace as 0; anything else it accepts is a real number
  if (!Number.isNaN(n) && text.trim() !== '' && /\d/.test(text)) return n;
  const s = text.trim();
  if (s === '' || /^(nan|null|[+-]?inf(inity)?)$/i.test(s)) return NaN;
  return undefined;
}

export const unquote = (cell: string) => (cell.includes('"') ? cell.trim().replace(/^"|"$/g, '') : cell.trim());

/** A cell that unquote() would leave as it is: no space, quote or non-ASCII character at either end. */
export function plainCell(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  const a = text.charCodeAt(from);
  const b = text.charCodeAt(to - 1);
  return a > 32 && a !== 34 && a < 127 && b > 32 && b !== 34 && b < 127;
}

/** Most digits read in place: 15 digits are always below 2^53, so the integer is exact. */
const MAX_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_DIGITS + 1 }, (_, k) => 10 ** k);

/** text[from, to) as unix seconds when it is only digits (as parseTimestamp reads it), else NaN. */
export function plainSeconds(text: string, from: number, to: number): number {
  if (to <= from || to - from > MAX_DIGITS) return NaN;
  let n = 0;
  for (let k = from; k < to; k++) {
    const digit = text.charCodeAt(k) - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return n > 1e11 ? n / 1000 : n;
}

/**
 * text[from, to) when it is a plain decimal (optional sign, at most 15 digits, optional point),
 * exactly as Number() reads it, else NaN. Exact: the digits form an integer below 2^53 and the
 * power of ten is exact, so their quotient is one correctly rounded division, the double nearest
 * the decimal (Clinger's fast path).
 */
export function plainDecimal(text: string, from: number, to: number): number {
  let k = from;
  const sign = text.charCodeAt(k);
  if (sign === 45 || sign === 43) k++;
  let n = 0;
  let digits = 0;
  let decimals = 0;
  let point = false;
  for (; k < to; k++) {
    const c = text.charCodeAt(k);
    const digit = c - 48;
    if (digit >= 0 && digit <= 9) {
      n = n * 10 + digit;
      digits++;
      if (point) decimals++;
    } else if (c === 46 && !point) point = true;
    else return NaN;
  }
  if (digits === 0 || digits > MAX_DIGITS) return NaN;
  const x = decimals > 0 ? n / POWERS_OF_TEN[decimals] : n;
  return sign === 45 ? -x : x;
}
