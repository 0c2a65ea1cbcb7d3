/**
 * GET /metrics (or --web.telemetry-path): the store's pre-rendered per-series lines followed by
 * the self-metrics. Nothing is computed per series at scrape time. OpenMetrics when the scraper
 * asks for it, the 0.0.4 text format otherwise.
 *
 * gzip when accepted. The per-series part (tens of MB at 10,000 series) is assembled and
 * compressed off the request path, once per published snapshot (store/published-exposition.ts);
 * each scrape compresses only the small self-metrics and splices them on (util/gzip-prefix.ts),
 * so it costs a memory copy and the client still gets one ordinary gzip stream.
 *
 * With `selfOnly` (--web.self-metrics-only, for an exporter whose outputs go out by remote write)
 * only the self-metrics are served and no snapshot is ever taken.
 */
import type { FastifyInstance } from 'fastify';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PublishedExposition, type PublishOptions } from '../../store/published-exposition.js';
import { gzipWithPrefix } from '../../util/gzip-prefix.js';
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
  /** how fresh the per-series part is kept (tests ask for every change at once) */
  publish?: PublishOptions;
  /**
   * serve the self-metrics only (--web.self-metrics-only): the per-series outputs go out by
   * remote write, and a scrape then only watches the exporter itself
   */
  selfOnly?: boolean;
}

export default async function metricsRoute(app: FastifyInstance, opts: MetricsRouteOptions) {
  const published = opts.selfOnly ? undefined : new PublishedExposition(opts.store, opts.publish);
  app.get(opts.path ?? '/metrics', async (req, reply) => {
    const openMetrics = wantsOpenMetrics(req.headers.accept);
    reply.header('content-type', openMetrics ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE);
    reply.header('vary', 'accept, accept-encoding');
    if (!published) {
      const self = Buffer.from(await opts.registry.render(openMetrics));
      if (!acceptsGzip(req.headers['accept-encoding'])) return reply.send(self);
      reply.header('content-encoding', 'gzip');
      return reply.send(await gzipAsync(self));
    }
    const [series, self] = await Promise.all([published.current(), opts.registry.render(openMetrics)]);
    if (acceptsGzip(req.headers['accept-encoding'])) {
      reply.header('content-encoding', 'gzip');
      return reply.send(await gzipWithPrefix(series.deflated, Buffer.from(self)));
    }
    return reply.send(Buffer.concat([series.plain, Buffer.from(self)]));
  });
}
