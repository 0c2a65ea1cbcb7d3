/**
 * The HTTP app as a fastify instance with one route plugin per concern. `server.ts`-style start-up
 * lives in the `run` command; tests call `app.inject()` without a socket.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Logger } from '../util/logger.js';
import { HTTP_ERRORS } from './errors.js';
import apiRoutes from './routes/api.js';
import healthRoutes from './routes/health.js';
import landing from './routes/landing.js';
import metricsRoute from './routes/metrics.js';

/** constant-time comparison so the token cannot be guessed byte by byte from response times */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export interface AppOptions {
  pipeline: Pipeline;
  registry: Registry;
  /** a pino logger, or false for none */
  logger?: Logger | false;
  /** when set, required as a bearer token everywhere but the health probes */
  bearerToken?: string;
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
  const token = o.bearerToken;
  if (token) {
    app.addHook('onRequest', async (req, reply) => {
      if (req.url === '/-/healthy' || req.url === '/-/ready') return;
      if (!tokenMatches(req.headers.authorization, token)) {
        const e = HTTP_ERRORS.UNAUTHORIZED;
        return reply
          .code(e.statusCode)
          .header('www-authenticate', 'Bearer')
          .send({ error: e.code, message: e.message });
      }
    });
  }
  await app.register(metricsRoute, { registry: o.registry });
  await app.register(healthRoutes, { pipeline: o.pipeline });
  await app.register(apiRoutes, { pipeline: o.pipeline });
  await app.register(landing, {});
  return app;
}
