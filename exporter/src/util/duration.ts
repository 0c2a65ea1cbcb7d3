/** Prometheus-style durations ("90s", "5m", "1h30m", "7d", "1w", "250ms") to and from seconds. */

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;

/** Parse a duration; returns undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    pos = PART.lastIndex;
  }
  return total;
}

/**
 * Format seconds as a Prometheus duration for labels: 900 -> "15m", 5400 -> "1h30m", 30d -> "30d".
 * Days are the largest unit: weeks and years would write 30 days as "4w2d" and one year of
 * days as "1y", which nobody types into a selector, and a label must match what the config says.
 */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = Math.round(seconds * 1000);
  let out = '';
  for (const [unit, size] of [
    ['d', 86400000],
    ['h', 3600000],
    ['m', 60000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
