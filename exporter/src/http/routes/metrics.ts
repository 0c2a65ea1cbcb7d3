/**
 * GET /metrics (or --web.telemetry-path): the store's pre-rendered per-series lines followed by
 * the self-metrics. Nothing is computed per series at scrape time. OpenMetrics when the scraper
 * asks for it, the 0.0.4 text format otherwise; gzip when accepted, compressed on libuv's thread
 * pool so the event loop stays free for other scrapes and for the pipeline.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { SeriesStoreReader } from '../../store/series-store.js';
import type { RegistryText } from '../../metrics/registry-text.js';

const gzipAsync = promisify(gzip);

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Prometheus sends `Accept: application/openmetrics-text;version=1.0.0,...;q=0.5,text/plain;...` */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let best = { om: 0, text: 0 };
  for (const part of accept.split(',')) {
    const [type, ...params] = part
      .trim()
      .split(';')
      .map((s) => s.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    if (type === 'application/openmetrics-text') best = { ...best, om: Math.max(best.om, q) };
    else if (type === 'text/plain' || type === '*/*') best = { ...best, text: Math.max(best.text, q) };
  }
  return best.om > 0 && best.om >= best.text;
}

function acceptsGzip(header: string | undefined): boolean {
  return /\bgzip\b/.test(header ?? '') && !/\bgzip;\s*q=0(\.0*)?\b/.test(header ?? '');
}

export interface MetricsRouteOptions {
  store: SeriesStoreReader;
  registry: RegistryText;
  path?: string;
}

export default async function metricsRoute(app: FastifyInstance, opts: MetricsRouteOptions) {
  app.get(opts.path ?? '/metrics', async (req, reply) => {
    const openMetrics = wantsOpenMetrics(req.headers.accept);
    const series = opts.store.exposition();
    const self = Buffer.from(await opts.registry.render(openMetrics));
    const body = Buffer.concat([series, self]);
    reply.header('content-type', openMetrics ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE);
    reply.header('vary', 'accept, accept-encoding');
    if (acceptsGzip(req.headers['accept-encoding'])) {
      reply.header('content-encoding', 'gzip');
      return reply.send(await gzipAsync(body, { level: 1 }));
    }
    return reply.send(body);
  });
}
