/** GET /metrics (or --web.telemetry-path): the Prometheus exposition. A failing collector is logged; the scrape still succeeds. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export default async function metricsRoute(app: FastifyInstance, opts: { registry: Registry; path?: string }) {
  app.get(opts.path ?? '/metrics', async (_req, reply) => {
    reply.header('content-type', opts.registry.contentType);
    return opts.registry.metrics();
  });
}
