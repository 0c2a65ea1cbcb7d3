/**
 * Small inline-SVG line and band plots for the self-contained HTML reports (backtest, anomaly
 * evaluation). Pure string building, no external assets: a plot is one <svg> element with its
 * own axes. NaN breaks a line (a gap stays visible as a gap).
 */

export interface LineSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  width?: number;
  /** SVG stroke-dasharray, e.g. "4 3" */
  dash?: string;
  label?: string;
}

export interface BandSeries {
  x: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  color: string;
  opacity?: number;
  label?: string;
}

export interface Marker {
  x: number;
  color: string;
  dash?: string;
}

export interface PlotSpec {
  width?: number;
  height?: number;
  title?: string;
  bands?: BandSeries[];
  lines?: LineSeries[];
  /** vertical lines, e.g. forecast origins or anomaly windows' edges */
  markers?: Marker[];
  /** shaded vertical spans, e.g. labelled anomaly windows */
  spans?: { from: number; to: number; color: string; opacity?: number }[];
  formatX?: (x: number) => string;
  formatY?: (y: number) => string;
}

const MARGIN = { top: 24, right: 12, bottom: 28, left: 64 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Round numbers for axis ticks: 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

function* allOf(arrays: ArrayLike<number>[]): Generator<number> {
  for (const a of arrays) for (let i = 0; i < a.length; i++) yield a[i];
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4));

/** One plot as an <svg> string. */
export function plotSvg(spec: PlotSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 220;
  const bands = spec.bands ?? [];
  const lines = spec.lines ?? [];
  const [x0, x1] = extent(allOf([...bands.map((b) => b.x), ...lines.map((l) => l.x)]));
  const [y0, y1] = extent(allOf([...bands.flatMap((b) => [b.lower, b.upper]), ...lines.map((l) => l.y)]));
  const pad = (y1 - y0) * 0.05;
  const [ylo, yhi] = [y0 - pad, y1 + pad];
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => MARGIN.top + (1 - (y - ylo) / (yhi - ylo)) * plotH;
  const p = (v: number) => v.toFixed(1);
  const formatX = spec.formatX ?? fmt;
  const formatY = spec.formatY ?? fmt;
  const out: string[] = [
    `<svg class="plot" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
  ];
  if (spec.title) out.push(`<title>${escapeXml(spec.title)}</title>`);
  out.push(`<text x="${MARGIN.left}" y="15" class="plot-title">${escapeXml(spec.title ?? '')}</text>`);
  for (const t of niceTicks(ylo, yhi)) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${p(sy(t))}" y2="${p(sy(t))}" stroke="#e3e3e3"/>`,
      `<text x="${MARGIN.left - 6}" y="${p(sy(t) + 4)}" text-anchor="end" class="tick">${escapeXml(formatY(t))}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1, 6)) {
    out.push(
      `<text x="${p(sx(t))}" y="${height - 8}" text-anchor="middle" class="tick">${escapeXml(formatX(t))}</text>`,
    );
  }
  for (const s of spec.spans ?? []) {
    const a = sx(Math.max(s.from, x0));
    const b = sx(Math.min(s.to, x1));
    if (b > a) {
      out.push(
        `<rect x="${p(a)}" y="${MARGIN.top}" width="${p(b - a)}" height="${plotH}" fill="${s.color}" fill-opacity="${s.opacity ?? 0.15}"/>`,
      );
    }
  }
  for (const band of bands) {
    for (const run of finiteRuns(
      band.x.length,
      (i) => Number.isFinite(band.lower[i]) && Number.isFinite(band.upper[i]),
    )) {
      const top = run.map((i) => `${p(sx(band.x[i]))},${p(sy(band.upper[i]))}`);
      const bottom = run.reverse().map((i) => `${p(sx(band.x[i]))},${p(sy(band.lower[i]))}`);
      out.push(
        `<polygon points="${[...top, ...bottom].join(' ')}" fill="${band.color}" fill-opacity="${band.opacity ?? 0.2}" stroke="none"/>`,
      );
    }
  }
  for (const line of lines) {
    const dash = line.dash ? ` stroke-dasharray="${line.dash}"` : '';
    for (const run of finiteRuns(line.x.length, (i) => Number.isFinite(line.y[i]))) {
      const points = run.map((i) => `${p(sx(line.x[i]))},${p(sy(line.y[i]))}`).join(' ');
      out.push(
        `<polyline points="${points}" fill="none" stroke="${line.color}" stroke-width="${line.width ?? 1.2}"${dash}/>`,
      );
    }
  }
  for (const m of spec.markers ?? []) {
    const dash = m.dash ? ` stroke-dasharray="${m.dash}"` : '';
    out.push(
      `<line x1="${p(sx(m.x))}" x2="${p(sx(m.x))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="${m.color}"${dash}/>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    '</svg>',
  );
  return out.join('\n');
}

/** Index runs where `ok(i)` holds, so NaN gaps split polylines and polygons. */
function finiteRuns(n: number, ok: (i: number) => boolean): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ok(i)) run.push(i);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** A colour key for a plot: small swatches with labels, as HTML. */
export function legendHtml(items: { label: string; color: string; kind: 'line' | 'band' }[]): string {
  return (
    '<div class="legend">' +
    items
      .map(
        (i) =>
          `<span><i style="background:${i.color};${i.kind === 'line' ? 'height:2px' : 'opacity:.35'}"></i>${escapeXml(i.label)}</span>`,
      )
      .join('') +
    '</div>'
  );
}

/** UTC "MM-DD HH:MM" for axis ticks of unix-second x values. */
export function formatUnixTick(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(5, 16).replace('T', ' ');
}
