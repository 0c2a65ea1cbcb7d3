/** Linear scales and axis ticks for the SVG chart. Hand-written: d3-scale would add ~40 kB for three functions. */

export type Scale = (value: number) => number;

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** About `count` round ticks (1, 2 or 5 times a power of ten) inside [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min) || count < 1) return Number.isFinite(min) ? [min] : [];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const TIME_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** Ticks at round clock times (in seconds) inside [min, max], about `count` of them. */
export function timeTicks(min: number, max: number, count: number): number[] {
  if (!(max > min) || count < 1) return [];
  const raw = (max - min) / count;
  const step = TIME_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 604800) * 604800;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
  return ticks;
}

/** Pixel padding added to a value range so lines do not touch the plot's edges. */
export function padRange([min, max]: [number, number], share = 0.05): [number, number] {
  const pad = (max - min) * share;
  return [min - pad, max + pad];
}
