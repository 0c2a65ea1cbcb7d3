/** SVG path data for lines and bands; gaps (NaN) break them rather than drawing across. */
import type { Scale } from './scale';

export function linePath(t: number[], v: number[], x: Scale, y: Scale): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(v[i]) || !Number.isFinite(t[i])) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${round(x(t[i]))},${round(y(v[i]))}`;
    pen = true;
  }
  return d;
}

/** One closed polygon per run of points where both bounds are known. */
export function ribbonPath(t: number[], lower: number[], upper: number[], x: Scale, y: Scale): string {
  let d = '';
  let run: number[] = [];
  const flush = () => {
    if (run.length >= 2) {
      const top = run.map((i) => `${round(x(t[i]))},${round(y(upper[i]))}`);
      const bottom = run.map((i) => `${round(x(t[i]))},${round(y(lower[i]))}`).reverse();
      d += `M${top.join('L')}L${bottom.join('L')}Z`;
    }
    run = [];
  };
  for (let i = 0; i < t.length; i++) {
    if (Number.isFinite(lower[i]) && Number.isFinite(upper[i]) && Number.isFinite(t[i])) run.push(i);
    else flush();
  }
  flush();
  return d;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
