/**
 * GET /: the built-in view. A list of series (model, live accuracy, anomaly state) and a uPlot
 * chart per series with actuals, history band, future fan and anomaly markers, refreshed by
 * polling the JSON API. The page script is bundled at build time from exporter/src/view/browser
 * (the same band and fan code as the Grafana panel) and served from dist/static/ with uPlot's
 * files; nothing is compiled at run time. No CDN.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { LandingAssetName } from '../../view/browser/assets.js';

interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<LandingAssetName, string> = {
  'landing.js': 'text/javascript; charset=utf-8',
  'uPlot.iife.min.js': 'text/javascript; charset=utf-8',
  'uPlot.min.css': 'text/css; charset=utf-8',
};

/** dist/static/ when compiled (written by `npm run build`) */
const BUILT = new URL('../../static/', import.meta.url);

/** The files are the same for every app in a process, so they are read once. */
let assetsOnce: Promise<Record<string, Asset>> | undefined;

async function loadAssets(): Promise<Record<string, Asset>> {
  let bodies: Record<LandingAssetName, Buffer>;
  if (import.meta.url.endsWith('.ts')) {
    // from TypeScript sources (tests, tsx) there is no build: bundle now, with the build's code
    const { buildLandingAssets } = await import('../../view/browser/assets.js');
    bodies = await buildLandingAssets();
  } else {
    const names = Object.keys(TYPES) as LandingAssetName[];
    const read = await Promise.all(names.map((name) => readFile(new URL(name, BUILT))));
    bodies = Object.fromEntries(names.map((name, i) => [name, read[i]])) as Record<LandingAssetName, Buffer>;
  }
  return Object.fromEntries(
    Object.entries(bodies).map(([name, body]) => [name, { body, type: TYPES[name as LandingAssetName] }]),
  );
}

/** The page; links are relative so it also works behind a path-prefixing proxy. */
const page = (telemetryPath: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CloudPulse</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/uPlot.min.css">
<style>
  :root { color-scheme: light dark; --bg: #111217; --fg: #ccccdc; --muted: #8e8e8e; --card: #181b1f; --line: #2c3235; }
  @media (prefers-color-scheme: light) { :root { --bg: #f4f5f5; --fg: #24292e; --muted: #6e6e6e; --card: #fff; --line: #dcdcdc; } }
  body { margin: 0; padding: 16px 24px; background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, sans-serif; }
  header { display: flex; align-items: baseline; gap: 16px; }
  header nav a { color: var(--muted); margin-right: 12px; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  h2 { font-size: 14px; font-weight: 500; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 16px; background: var(--card); }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 500; }
  a { color: #6e9fff; }
  .labels, #status { color: var(--muted); font-size: 12px; }
  .accuracy { white-space: pre-line; font-size: 12px; }
  .state { padding: 1px 8px; border-radius: 8px; background: #73bf6933; }
  .sev-1 { background: #fade2a55; } .sev-2 { background: #ff983055; } .sev-3 { background: #f2495c66; } .sev-4 { background: #b877d966; }
  .chart { background: var(--card); border: 1px solid var(--line); border-radius: 4px; padding: 10px; margin-bottom: 12px; }
  .u-legend { font-size: 12px; }
</style>
</head>
<body>
<header><h1>CloudPulse</h1><nav><a href="${telemetryPath.slice(1)}">${telemetryPath.slice(1)}</a><a href="api/v1/series">api/v1/series</a><a href="-/healthy">healthy</a><a href="-/ready">ready</a></nav><span id="status">loading…</span></header>
<table id="series"><thead><tr><th>Series</th><th>Model</th><th>Live accuracy (MASE, band coverage)</th><th>Anomaly</th></tr></thead><tbody></tbody></table>
<div id="charts"></div>
<script src="static/uPlot.iife.min.js"></script>
<script src="static/landing.js"></script>
</body>
</html>
`;

export default async function landing(app: FastifyInstance, opts: { telemetryPath?: string }) {
  // loaded at registration so a missing build stops start-up instead of the first page view
  assetsOnce ??= loadAssets();
  const assets = await assetsOnce.catch((error: Error) => {
    assetsOnce = undefined;
    throw new Error(`landing page: cannot load its static files (run \`npm run build\`?): ${error.message}`);
  });
  const html = page(opts.telemetryPath ?? '/metrics');
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get<{ Params: { name: string } }>('/static/:name', async (req, reply) => {
    const asset = Object.hasOwn(assets, req.params.name) ? assets[req.params.name] : undefined;
    if (!asset) return reply.code(404).send({ error: 'not_found', message: `no static asset ${req.params.name}` });
    return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  });
}
