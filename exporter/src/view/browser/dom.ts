/// <reference lib="dom" />
/** Small DOM and fetch helpers shared by the built-in pages' scripts. */

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { message?: string };
      if (body.message) message += `: ${body.message}`;
    } catch {
      // not JSON: the status says enough
    }
    throw new Error(message);
  }
  return (await res.json()) as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

export const fmt = (v: number | null | undefined, digits = 2) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';

/** A value at a precision that suits its size: 0.0123 -> "0.0123", 1234.5 -> "1234.5". */
export const fmtValue = (v: number | null | undefined) =>
  typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toPrecision(4))) : '–';

export const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');

/** A unix time as the viewer's local time to the minute, with the date unless it is within 12 hours of now. */
export const clock = (t: number) => {
  const near = Math.abs(t * 1000 - Date.now()) < 12 * 3600_000;
  return new Date(t * 1000).toLocaleString(undefined, {
    ...(near ? {} : { month: 'short', day: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
  });
};

/** Axis ticks that fit a narrow axis: 400000 -> "400k", 0.25 -> "0.25". */
export function compactTick(v: number): string {
  const a = Math.abs(v);
  for (const [size, suffix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e4, 'k'],
  ] as const) {
    if (a >= size) return `${Number((v / (suffix === 'k' ? 1e3 : size)).toPrecision(4))}${suffix}`;
  }
  return String(Number(v.toPrecision(4)));
}

/** The "simulated data" note, once at the top of a page, naming the entries when only some are. */
export function showSimulated(series: Array<{ series: string; simulated: boolean }>): void {
  const note = document.getElementById('simulated');
  if (!note) return;
  const simulated = [...new Set(series.filter((s) => s.simulated).map((s) => s.series))];
  const all = simulated.length > 0 && series.every((s) => s.simulated);
  note.hidden = simulated.length === 0;
  note.textContent = all
    ? 'Simulated data: no Prometheus source is configured, so every series here comes from the built-in ' +
      'simulation of node-exporter instances (cloudpulse_source_simulated 1).'
    : simulated.length > 0
      ? `Simulated data for ${simulated.join(', ')}: the source is down and these entries fall back to the ` +
        'built-in simulation (fallback: simulation).'
      : '';
}

/** The page's range buttons: mark the pressed one, and call `choose` on a press. */
export function wireRangeButtons(choose: (range: 'default' | number) => void): void {
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('button[data-range]')];
  for (const button of buttons) {
    button.addEventListener('click', () => {
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      const range = button.dataset.range!;
      choose(range === 'default' ? 'default' : Number(range));
    });
  }
}
