/**
 * The HTTP app as a fastify instance with one route plugin per concern. `server.ts`-style start-up
 * lives in the `run` command; tests call `app.inject()` without a socket.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Logger } from '../util/logger.js';
import apiRoutes from './routes/api.js';
import healthRoutes from './routes/health.js';
import landing from './routes/landing.js';
import metricsRoute from './routes/metrics.js';

export interface AppOptions {
  pipeline: Pipeline;
  registry: Registry;
  /** a pino logger, or false for none */
  logger?: Logger | false;
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.logger ? (o.logger as never) : undefined,
    // scrapes arrive every few seconds; logging each would drown the useful lines
    logController: new LogController({ disableRequestLogging: true }),
    // nothing here takes a body; keep what we accept small
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
  });
  await app.register(metricsRoute, { registry: o.registry });
  await app.register(healthRoutes, { pipeline: o.pipeline });
  await app.register(apiRoutes, { pipeline: o.pipeline });
  await app.register(landing, {});
  return app;
}
