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
