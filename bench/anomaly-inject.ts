/**
 * Labelled anomalies injected into real series (shared/datasets/forecast, non-NAB sources): the
 * development data beyond NAB. Sizes are relative to each series' own robust range and noise,
 * durations to its points per day, so the same recipe works at any step. Deterministic by seed.
 * Independent of random_forest's training injections (different kinds, sizes and code), so that
 * detector is not tested on the distribution it was trained on.
 */
import { seededRandom } from '../exporter/src/util/random.js';

export const INJECTED_KINDS = ['spike', 'level_shift', 'drift', 'flatline', 'noise_burst', 'season_break'] as const;
export type InjectedKind = (typeof INJECTED_KINDS)[number];

export interface Injection {
  kind: InjectedKind;
  /** first and last affected row */
  from: number;
  to: number;
  size: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** values with 1-3 anomalies injected after the first 20% of rows, and what was injected */
export function injectInto(
  values: number[],
  perDay: number,
  seed: number,
): { values: number[]; injections: Injection[] } {
  const random = seededRandom(seed);
  const n = values.length;
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const range = quantile(sorted, 0.99) - quantile(sorted, 0.01) || Math.abs(quantile(sorted, 0.5)) || 1;
  const diffs = values
    .slice(1)
    .map((v, i) => Math.abs(v - values[i]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const noise = (1.4826 * quantile(diffs, 0.5)) / Math.SQRT2 || range / 50;
  const nonNegative = sorted[0] >= 0;
  const out = values.slice();
  const count = 1 + Math.floor(random() * 3);
  const injections: Injection[] = [];
  const span = (lo: number, hi: number) => Math.max(1, Math.round(perDay * (lo + random() * (hi - lo))));
  // spread the anomalies over the last 80%, one per equal slice, so windows rarely overlap
  const slice = Math.floor((0.8 * n) / count);
  for (let k = 0; k < count; k++) {
    const kind = INJECTED_KINDS[Math.floor(random() * INJECTED_KINDS.length)];
    const sign = random() < 0.5 ? -1 : 1;
    const length = {
      spike: Math.max(1, Math.round(1 + 2 * random())),
      level_shift: span(0.5, 2),
      drift: span(0.5, 1.5),
      flatline: span(1 / 12, 1 / 3),
      noise_burst: span(1 / 4, 1),
      season_break: span(0.5, 1),
    }[kind];
    const from = Math.floor(0.2 * n) + k * slice + Math.floor(random() * Math.max(1, slice - length));
    const to = Math.min(n - 1, from + length - 1);
    let size = 0;
    for (let i = from; i <= to; i++) {
      const at = (i - from) / Math.max(1, to - from);
      if (kind === 'spike') out[i] += size = sign * (0.4 + 0.4 * random()) * range;
      else if (kind === 'level_shift') out[i] += size = sign * 0.3 * range;
      else if (kind === 'drift') out[i] += (size = sign * 0.5 * range) * at;
      else if (kind === 'flatline') out[i] = out[from];
      else if (kind === 'noise_burst') out[i] += (size = 4 * noise) * (random() * 2 - 1) * Math.sqrt(3);
      // the pattern of half a day earlier: busy nights, quiet afternoons
      else out[i] = values[Math.max(0, i - Math.round(perDay / 2))];
      if (nonNegative && out[i] < 0) out[i] = 0;
    }
    injections.push({ kind, from, to, size: Number(size.toPrecision(4)) });
  }
  return { values: out, injections };
}

/** the mean of each run of `factor` points (a coarser step); trailing points that do not fill a run are dropped */
export function downsample(t: number[], v: number[], factor: number): { t: number[]; v: number[] } {
  const ot: number[] = [];
  const ov: number[] = [];
  for (let i = 0; i + factor <= t.length; i += factor) {
    let sum = 0;
    let k = 0;
    for (let j = i; j < i + factor; j++) {
      if (Number.isFinite(v[j])) {
        sum += v[j];
        k++;
      }
    }
    ot.push(t[i]);
    ov.push(k ? sum / k : NaN);
  }
  return { t: ot, v: ov };
}
