/**
 * The HTTP app as a fastify instance with one route plugin per concern. `server.ts`-style start-up
 * lives in the `run` command; tests call `app.inject()` without a socket.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { SeriesConfig } from '../config/schema.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { RegistryText } from '../metrics/registry-text.js';
import type { PublishOptions } from '../store/published-exposition.js';
import type { SeriesStoreReader } from '../store/series-store.js';
import type { Logger } from '../util/logger.js';
import { installAuth } from './auth.js';
import apiRoutes, { type SeriesDetailSource } from './routes/api.js';
import clusterRoutes from './routes/cluster.js';
import type { Membership } from '../cluster/membership.js';
import type { SeriesForwarder } from '../cluster/forward.js';
import healthRoutes from './routes/health.js';
import landing from './routes/landing.js';
import seriesPage from './routes/series-page.js';
import anomalyEventsRoute from './routes/anomaly-events.js';
import modelChoiceRoute from './routes/model-choice.js';
import backtestRoutes from './routes/backtest.js';
import { ViewJobs } from './view-jobs/pool.js';
import metricsRoute from './routes/metrics.js';
import { clientCertificateProblem, tlsServerOptions, watchCertificates } from './tls.js';
import type { WebConfig } from './web-config.js';

export const DEFAULT_TELEMETRY_PATH = '/metrics';
/** the probes answer without credentials (see auth.ts) */
const HEALTH_PATHS = ['/-/healthy', '/-/ready'];

/** Checks a --web.telemetry-path value; returns an error message, or undefined when it can be served. */
export function telemetryPathProblem(path: string): string | undefined {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path) || path === '/' || path.endsWith('/')) {
    return `expected a path such as /metrics (letters, digits, ".", "_", "~", "-" and "/"), got "${path}"`;
  }
  if (HEALTH_PATHS.includes(path) || /^\/(api|static|-)(\/|$)/.test(path)) {
    return `"${path}" is taken by the exporter's own routes (/, /-/..., /api/..., /static/...)`;
  }
  return undefined;
}

/** What the routes read from a running pipeline: its store, its status and its workers' details. */
export function pipelineReaders(
  pipeline: Pipeline,
  entries: SeriesConfig[],
): Pick<AppOptions, 'store' | 'entries' | 'detail' | 'ready' | 'now' | 'backlog' | 'membership'> {
  return {
    store: pipeline.store,
    membership: pipeline.membership,
    entries,
    detail: (key, max) => pipeline.detail(key, max),
    ready: () => pipeline.ready,
    now: () => pipeline.now(),
    backlog: () => pipeline.updates.backlog,
  };
}

export interface AppOptions {
  /** what the pipeline published; every route reads only this */
  store: SeriesStoreReader;
  /** the config entries, for the JSON API's per-entry fields */
  entries: SeriesConfig[];
  /** a series' display history, from the worker that owns it */
  detail: SeriesDetailSource;
  /** true once the first forecasts exist */
  ready: () => boolean;
  /** clock, unix seconds */
  now: () => number;
  /** model work still queued */
  backlog: () => { series: number; fits: number; refits?: number; warmups: number };
  /** the self-metrics, rendered per scrape */
  registry: RegistryText;
  /** a pino logger, or false for none */
  logger?: Logger | false;
  /** when set, accepted as a bearer token everywhere but the health probes */
  bearerToken?: string;
  /** --web.config.file: TLS, basic auth users, response headers, rate limit */
  web?: WebConfig;
  /** where the exposition is served (--web.telemetry-path, default /metrics) */
  telemetryPath?: string;
  /** on a fleet: this member's place (serves /api/v1/cluster/records to its peers) */
  membership?: Membership;
  /** on a fleet: API requests for series other members own go to them */
  forward?: SeriesForwarder;
  /** the main thread's largest event-loop delay over the last `seconds`, ms (util/event-loop.ts) */
  loopDelayMs?: (seconds: number) => number;
  /** freshness of the published per-series part (defaults suit production; tests use 0) */
  publish?: PublishOptions;
  /** serve only the self-metrics on the telemetry path (--web.self-metrics-only) */
  selfMetricsOnly?: boolean;
  /** the JSONL anomaly log (anomaly_log.path), listed on the series page */
  anomalyLogPath?: string;
  /** the series page's model work off the main thread (default: one worker thread, two jobs queued) */
  viewJobs?: ViewJobs;
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const telemetryPath = o.telemetryPath ?? DEFAULT_TELEMETRY_PATH;
  const pathProblem = telemetryPathProblem(telemetryPath);
  if (pathProblem) throw new Error(`--web.telemetry-path: ${pathProblem}`);
  const tls = o.web?.tls;
  const options: FastifyServerOptions & { https?: object } = {
    ...(tls ? { https: tlsServerOptions(tls) } : {}),
    loggerInstance: o.logger ? (o.logger as never) : undefined,
    // scrapes arrive every few seconds; logging each would drown the useful lines
    logController: new LogController({ disableRequestLogging: true }),
    // nothing here takes a body; keep what we accept small
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
  };
  const app = Fastify(options) as unknown as FastifyInstance;
  if (tls) {
    // client certificate policies Node's handshake cannot express are applied as soon as it ends
    app.server.on('secureConnection', (socket: TLSSocket) => {
      const problem = clientCertificateProblem(socket, tls);
      if (!problem) return;
      app.log.warn({ remote: socket.remoteAddress, reason: problem }, 'TLS connection refused');
      socket.destroy();
    });
    const stop = watchCertificates(app.server as never, tls, (message) =>
      app.log.error({ err: message }, 'web config: new TLS certificate not loaded, keeping the old one'),
    );
    app.addHook('onClose', async () => stop());
  }
  installAuth(app, {
    users: o.web?.users,
    bearerToken: o.bearerToken,
    headers: o.web?.headers,
    rateLimit: o.web?.rateLimit,
    openPaths: HEALTH_PATHS,
  });
  await app.register(metricsRoute, {
    store: o.store,
    registry: o.registry,
    path: telemetryPath,
    publish: o.publish,
    selfOnly: o.selfMetricsOnly,
  });
  await app.register(healthRoutes, { ready: o.ready });
  await app.register(apiRoutes, {
    store: o.store,
    entries: o.entries,
    detail: o.detail,
    now: o.now,
    backlog: o.backlog,
    forward: o.forward,
    loopDelayMs: o.loopDelayMs,
  });
  if (o.membership && o.membership.members > 1) {
    await app.register(clusterRoutes, { store: o.store, membership: o.membership });
  }
  await app.register(landing, { telemetryPath });
  await app.register(seriesPage, { telemetryPath });
  const jobs = o.viewJobs ?? new ViewJobs();
  app.addHook('onClose', () => jobs.close());
  const seriesPageOptions = { ...o, jobs };
  await app.register(anomalyEventsRoute, seriesPageOptions);
  await app.register(modelChoiceRoute, seriesPageOptions);
  await app.register(backtestRoutes, seriesPageOptions);
  return app;
}
