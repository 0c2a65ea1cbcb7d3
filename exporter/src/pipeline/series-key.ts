/** The identities the pipeline gives a series: its key, and a stable phase derived from it. */
import type { Labels } from '../sources/types.js';

/** `name{a="1",b="2"}` with labels sorted: stable identity of a series across cycles. */
export function seriesKey(name: string, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

/**
 * A stable phase in [0, 1) per key (FNV-1a): which worker thread owns a series, and where in the
 * refit interval its refits fall, so the refits of many series spread over the interval.
 */
export function phaseOf(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/** The entry name and labels of a key made by seriesKey, or undefined when it is not one. */
export function parseSeriesKey(key: string): { name: string; labels: Labels } | undefined {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)\{(.*)\}$/s.exec(key);
  if (!m) return undefined;
  const labels: Labels = {};
  let rest = m[2];
  while (rest.length > 0) {
    const pair = /^([^=,]+)=("(?:[^"\\]|\\.)*")(,|$)/s.exec(rest);
    if (!pair) return undefined;
    labels[pair[1]] = JSON.parse(pair[2]) as string;
    rest = rest.slice(pair[0].length);
  }
  return { name: m[1], labels };
}
