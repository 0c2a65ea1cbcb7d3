/**
 * The HTTP app as a fastify instance with one route plugin per concern. `server.ts`-style start-up
 * lives in the `run` command; tests call `app.inject()` without a socket.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { SeriesConfig } from '../config/schema.js';
import type { RegistryText } from '../metrics/registry-text.js';
import type { SeriesStoreReader } from '../store/series-store.js';
import type { Logger } from '../util/logger.js';
import { HTTP_ERRORS } from './errors.js';
import apiRoutes, { type SeriesDetailSource } from './routes/api.js';
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
  /** what the pipeline published; every route reads only this */
  store: SeriesStoreReader;
  /** the config entries, for the JSON API's per-entry fields */
  entries: SeriesConfig[];
  /** a series' display history, from the shard that owns it */
  detail: SeriesDetailSource;
  /** true once the first forecasts exist */
  ready: () => boolean;
  /** clock, unix seconds */
  now: () => number;
  /** model work still queued */
  backlog: () => { series: number; fits: number; warmups: number };
  /** the self-metrics, rendered per scrape */
  registry: RegistryText;
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
  await app.register(metricsRoute, { store: o.store, registry: o.registry });
  await app.register(healthRoutes, { ready: o.ready });
  await app.register(apiRoutes, {
    store: o.store,
    entries: o.entries,
    detail: o.detail,
    now: o.now,
    backlog: o.backlog,
  });
  await app.register(landing, {});
  return app;
}
