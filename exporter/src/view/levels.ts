/** Coverage levels and horizons as they appear in labels and JSON keys. */
import { formatDuration, parseDuration } from '../util/duration.js';

/** The key of a level: 0.95 -> "0.95", "0.950" -> "0.95". Undefined when it is not a level in (0, 1). */
export function levelKey(level: number | string): string | undefined {
  const n = typeof level === 'number' ? level : Number(level);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) return undefined;
  return String(n);
}

/** A horizon label ("15m", "1h") or a number of seconds, as seconds; undefined when unreadable. */
export function horizonSeconds(horizon: number | string): number | undefined {
  if (typeof horizon === 'number') return Number.isFinite(horizon) && horizon > 0 ? horizon : undefined;
  const trimmed = horizon.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return horizonSeconds(Number(trimmed));
  const seconds = parseDuration(trimmed);
  return seconds !== undefined && seconds > 0 ? seconds : undefined;
}

export function horizonLabel(seconds: number): string {
  return formatDuration(seconds);
}

/**
 * The horizon to draw the history band for: the wanted one if it is available, else the shortest
 * available (the most accurate, so the band hugs the actuals), else undefined.
 */
export function pickHorizon(available: number[], wanted?: number): number | undefined {
  if (available.length === 0) return undefined;
  if (wanted !== undefined && available.includes(wanted)) return wanted;
  return Math.min(...available);
}

/** The level to draw: the wanted one if available, else the widest available. */
export function pickLevel(available: string[], wanted?: string): string | undefined {
  const key = wanted === undefined ? undefined : levelKey(wanted);
  if (key !== undefined && available.includes(key)) return key;
  if (available.length === 0) return undefined;
  return [...available].sort((a, b) => Number(b) - Number(a))[0];
}
