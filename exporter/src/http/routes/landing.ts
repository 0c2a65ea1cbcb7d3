/**
 * GET /: the built-in view. A list of series (model, live accuracy, anomaly state; each linked to
 * its own page, routes/series-page.ts) and a uPlot chart per series with actuals, history band,
 * future fan and anomaly markers, opening on the recent past and the whole forecast, refreshed by
 * polling the JSON API. Also serves the pages' static files under /static/. The page script is bundled at build time from exporter/src/view/browser
 * (the same band and fan code as the Grafana panel) and served from dist/static/ with uPlot's
 * files; nothing is compiled at run time. No CDN.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { LandingAssetName } from '../../view/browser/assets.js';
import { pageShell, rangeToolbar } from '../../view/page-shell.js';

interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<LandingAssetName, string> = {
  'landing.js': 'text/javascript; charset=utf-8',
  'series.js': 'text/javascript; charset=utf-8',
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

const BODY = `${rangeToolbar()}
<table id="series"><thead><tr><th>Series</th><th>Model</th><th>Live accuracy (MASE, share of actuals in each band)</th><th>Anomaly</th></tr></thead><tbody></tbody></table>
<div id="charts"></div>`;

export default async function landing(app: FastifyInstance, opts: { telemetryPath?: string }) {
  // loaded at registration so a missing build stops start-up instead of the first page view
  assetsOnce ??= loadAssets();
  const assets = await assetsOnce.catch((error: Error) => {
    assetsOnce = undefined;
    throw new Error(`landing page: cannot load its static files (run \`npm run build\`?): ${error.message}`);
  });
  const html = pageShell({
    title: 'CloudPulse',
    telemetryPath: opts.telemetryPath ?? '/metrics',
    body: BODY,
    script: 'landing.js',
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get<{ Params: { name: string } }>('/static/:name', async (req, reply) => {
    const asset = Object.hasOwn(assets, req.params.name) ? assets[req.params.name] : undefined;
    if (!asset) return reply.code(404).send({ error: 'not_found', message: `no static asset ${req.params.name}` });
    return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  });
}
