/**
 * The HTML around the built-in pages (the landing page and the series page): head, styles, the
 * header with the exporter's links and the range toolbar. Links are relative so the pages also
 * work behind a path-prefixing proxy. Pure strings; the routes serve them.
 */
import { RANGE_PRESETS } from './window.js';

const STYLE = `
  :root { color-scheme: light dark; --bg: #111217; --fg: #ccccdc; --muted: #9a9aa6; --card: #181b1f; --line: #2c3235; --accent: #6e9fff; --warn: #ff9830; }
  @media (prefers-color-scheme: light) { :root { --bg: #f4f5f5; --fg: #24292e; --muted: #5d6166; --card: #fff; --line: #dcdcdc; --accent: #1f5fbf; --warn: #a35200; } }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 16px 24px; background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, sans-serif; }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 12px; }
  header nav a { color: var(--muted); margin-right: 12px; }
  h1 { font-size: 20px; margin: 0; overflow-wrap: anywhere; }
  h2 { font-size: 15px; font-weight: 600; margin: 0 0 8px; overflow-wrap: anywhere; }
  a { color: var(--accent); }
  :focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
  .muted, .labels, #status { color: var(--muted); font-size: 12px; }
  .banner { border: 1px solid var(--warn); border-left-width: 4px; border-radius: 4px; padding: 8px 12px; margin: 0 0 12px; background: var(--card); }
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; margin: 0 0 12px; }
  button, select, input { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--line); border-radius: 4px; padding: 3px 10px; }
  button { cursor: pointer; }
  button[aria-pressed="true"] { border-color: var(--accent); background: color-mix(in srgb, var(--accent) 22%, var(--card)); }
  table { border-collapse: collapse; width: 100%; background: var(--card); }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
  th { color: var(--muted); font-weight: 500; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; white-space: nowrap; }
  .badge { font-size: 11px; padding: 0 6px; border-radius: 8px; border: 1px solid var(--accent); margin-left: 6px; white-space: nowrap; }
  .accuracy { white-space: pre-line; font-size: 12px; }
  .state { padding: 1px 8px; border-radius: 8px; background: #73bf6933; white-space: nowrap; }
  .sev-1 { background: #fade2a55; } .sev-2 { background: #ff983055; } .sev-3 { background: #f2495c66; } .sev-4 { background: #c4162a66; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 4px; padding: 10px; margin-bottom: 12px; min-width: 0; }
  .plot { width: 100%; min-width: 0; }
  .legend { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; color: var(--muted); margin-top: 4px; }
  .legend i { display: inline-block; width: 14px; height: 8px; margin-right: 5px; border-radius: 2px; vertical-align: middle; }
  .readout { font-size: 12px; color: var(--muted); min-height: 1.4em; font-variant-numeric: tabular-nums; }
  .tables { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  .tables table { width: auto; flex: 1 1 520px; min-width: 0; }
  caption { text-align: left; padding: 4px 0; font-weight: 600; }
  fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 10px; }
  fieldset legend { float: left; margin-right: 6px; color: var(--muted); }
  ol#events { list-style: none; padding-left: 0; max-height: 320px; overflow-y: auto; }
  button.event { text-align: left; border: 0; background: none; padding: 2px 0; color: var(--accent); text-decoration: underline; }
  pre { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 8px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
`;

/** The range buttons every chart page has: the default window, then the presets. */
export function rangeToolbar(): string {
  const presets = RANGE_PRESETS.map(
    (p) => `<button type="button" data-range="${p.seconds}" aria-pressed="false">${p.label}</button>`,
  ).join('');
  return (
    `<div class="toolbar" role="group" aria-label="Time range"><span class="muted">Range</span>` +
    `<button type="button" data-range="default" aria-pressed="true">Forecast in view</button>${presets}` +
    `<span class="muted">drag across a chart to zoom, double-click it to reset</span></div>`
  );
}

export function pageShell(o: { title: string; telemetryPath: string; body: string; script: string }): string {
  const metrics = o.telemetryPath.slice(1);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/uPlot.min.css">
<style>${STYLE}</style>
</head>
<body>
<header><h1><a href="./">CloudPulse</a></h1><nav aria-label="Exporter"><a href="${metrics}">${metrics}</a><a href="api/v1/series">api/v1/series</a><a href="-/healthy">healthy</a><a href="-/ready">ready</a></nav><span id="status" role="status">loading…</span></header>
<p id="simulated" class="banner" hidden></p>
${o.body}
<script src="static/uPlot.iife.min.js"></script>
<script src="static/${o.script}"></script>
</body>
</html>
`;
}
