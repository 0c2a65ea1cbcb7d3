/** `cloudpulse run`: the exporter. Without --config.file it runs on the embedded simulation. */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { configWarnings } from '../config/check.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { validateNames } from '../config/names.js';
import type { Config } from '../config/schema.js';
import { buildApp, pipelineReaders, DEFAULT_TELEMETRY_PATH, telemetryPathProblem } from '../http/app.js';
import { loadWebConfig, type WebConfig } from '../http/web-config.js';
import { loadProphetOptimizer } from '../models/augurs.js';
import { RegistryText } from '../metrics/registry-text.js';
import { startRemoteWrite, type RemoteWrite } from '../remote-write/index.js';
import { registerLoopDelayMetric, registerSelfMetrics } from '../metrics/self-metrics.js';
import { AnomalyLog } from '../pipeline/anomaly-log.js';
import { ModelStore } from '../pipeline/model-store.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { registerScalerMetrics } from '../scaler/metrics.js';
import { ScalerServer, type ScalerTls } from '../scaler/server.js';
import { tlsServerOptions, type TlsSettings } from '../http/tls.js';
import type { ScalerView } from '../scaler/view.js';
import { ThreadWorker } from '../pipeline/worker-handle.js';
import { createSources } from '../sources/index.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../util/logger.js';
import { VERSION } from '../version.js';
import { EventLoopDelay } from '../util/event-loop.js';
import { parseFlags } from './args.js';
import { CLUSTER_FLAGS, CLUSTER_USAGE, fleetAccess, membershipFrom, type FleetAccess } from './cluster-flags.js';
import type { Membership } from '../cluster/membership.js';
import { UsageError, type Command } from './types.js';

export const DEFAULT_LISTEN_ADDRESS = ':9847';
/** Kubernetes' default grace period is 30 s; stop well inside it */
export const DEFAULT_SHUTDOWN_TIMEOUT = 10;

/** ":9847" -> 0.0.0.0:9847, "127.0.0.1:9847", "[::1]:9847" */
export function parseListenAddress(text: string, flag = '--web.listen-address'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`${flag} expects host:port such as :9847, got "${text}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** The store and source state as the KEDA external scaler reads them (and nothing else). */
export function pipelineScalerView(pipeline: Pipeline, config: Config): ScalerView {
  const names = config.series.map((s) => s.name);
  return {
    entries: () => names,
    records: (entry) => pipeline.store.records(entry),
    entryStatus: (entry) => {
      const s = pipeline.status.get(entry);
      return s && { up: s.up, simulated: s.simulated };
    },
    interval: config.schedule.interval,
    now: () => pipeline.now(),
  };
}

/** The gRPC listener's certificate files, read once at start-up. */
/** The HTTP side's TLS settings as the gRPC listener takes them. */
function scalerTlsFromWeb(tls: TlsSettings): ScalerTls {
  const o = tlsServerOptions(tls);
  return {
    cert: o.cert as Buffer,
    key: o.key as Buffer,
    ca: o.ca as Buffer | undefined,
    requireClientCert: tls.clientAuth === 'RequireAndVerifyClientCert' || tls.clientAuth === 'RequireAnyClientCert',
  };
}

function readScalerTls(flags: Record<string, unknown>): ScalerTls | undefined {
  const cert = flags['grpc.tls-cert-file'] as string | undefined;
  const key = flags['grpc.tls-key-file'] as string | undefined;
  const ca = flags['grpc.tls-client-ca-file'] as string | undefined;
  if (!cert && !key && !ca) return undefined;
  if (!cert || !key) throw new UsageError('--grpc.tls-cert-file and --grpc.tls-key-file go together');
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new UsageError(`--${flag}: cannot read ${path}: ${(err as Error).message}`);
    }
  };
  return {
    cert: read('grpc.tls-cert-file', cert),
    key: read('grpc.tls-key-file', key),
    ca: ca ? read('grpc.tls-client-ca-file', ca) : undefined,
  };
}

/**
 * A clock that reads `simulatedOrigin` at the real time `origin` and runs `speed` times faster than
 * real time from there (for demos and tests).
 */
export function scaledClock(
  speed: number,
  origin = Date.now(),
  real: () => number = Date.now,
  simulatedOrigin = origin,
): () => number {
  if (speed === 1 && simulatedOrigin === origin) return real;
  return () => simulatedOrigin + (real() - origin) * speed;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the exporter (default; embedded simulation when no config is given)',
  usage: `usage: cloudpulse run [flags]

Flags:
  --config.file PATH            YAML configuration (default: embedded simulation demo)
  --web.listen-address ADDR     address to serve /metrics on (default ${DEFAULT_LISTEN_ADDRESS})
  --web.telemetry-path PATH     path of the metrics (default ${DEFAULT_TELEMETRY_PATH})
  --web.config.file PATH        TLS and basic auth, exporter-toolkit format (see docs/configuration.md)
  --web.self-metrics-only       serve only self-metrics on the telemetry path (outputs go by remote_write)
  --grpc.listen-address ADDR    serve the KEDA external scaler on this address (default: off)
  --grpc.tls-cert-file PATH     TLS certificate (PEM) for the gRPC listener; with --grpc.tls-key-file
  --grpc.tls-key-file PATH      its private key (PEM)
  --grpc.tls-client-ca-file PATH  require client certificates signed by this CA (PEM)
  --log.level LEVEL             debug, info, warn or error (default info)
  --storage.path DIR            keep fitted models here across restarts (env MODEL_SAVE_PATH)
  --shutdown.timeout SECONDS    on SIGTERM/SIGINT, exit within this long (default ${DEFAULT_SHUTDOWN_TIMEOUT})
${CLUSTER_USAGE}

Environment: PROMETHEUS_URL, MODEL_SAVE_PATH, FORECAST_INTERVAL_MINUTES override the file.`,

  async run(args, ctx) {
    const flags = parseFlags(
      args,
      [
        { name: 'config.file', type: 'string', env: 'CLOUDPULSE_CONFIG_FILE' },
        { name: 'web.listen-address', type: 'string' },
        { name: 'web.telemetry-path', type: 'string' },
        { name: 'web.config.file', type: 'string' },
        { name: 'web.self-metrics-only', type: 'boolean' },
        { name: 'grpc.listen-address', type: 'string' },
        { name: 'grpc.tls-cert-file', type: 'string' },
        { name: 'grpc.tls-key-file', type: 'string' },
        { name: 'grpc.tls-client-ca-file', type: 'string' },
        { name: 'log.level', type: 'string' },
        { name: 'storage.path', type: 'string' },
        { name: 'shutdown.timeout', type: 'string' },
        ...CLUSTER_FLAGS,
      ],
      ctx.env,
    );
    const level = (flags['log.level'] as string | undefined) ?? 'info';
    if (!LOG_LEVELS.includes(level as LogLevel)) {
      throw new UsageError(`--log.level expects one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
    }
    const shutdownTimeout = Number((flags['shutdown.timeout'] as string | undefined) ?? DEFAULT_SHUTDOWN_TIMEOUT);
    if (!(shutdownTimeout > 0)) {
      throw new UsageError(
        `--shutdown.timeout expects a positive number of seconds, got "${flags['shutdown.timeout']}"`,
      );
    }
    const listen = parseListenAddress((flags['web.listen-address'] as string | undefined) ?? DEFAULT_LISTEN_ADDRESS);
    const telemetryPath = (flags['web.telemetry-path'] as string | undefined) ?? DEFAULT_TELEMETRY_PATH;
    const pathProblem = telemetryPathProblem(telemetryPath);
    if (pathProblem) throw new UsageError(`--web.telemetry-path: ${pathProblem}`);
    const grpcAddress = flags['grpc.listen-address'] as string | undefined;
    const grpcListen = grpcAddress ? parseListenAddress(grpcAddress, '--grpc.listen-address') : undefined;
    const grpcTls = readScalerTls(flags);
    if (grpcTls && !grpcListen) throw new UsageError('--grpc.tls-* flags need --grpc.listen-address');
    const file = flags['config.file'] as string | undefined;
    const webConfigFile = flags['web.config.file'] as string | undefined;
    let config: Config;
    let web: WebConfig | undefined;
    let membership: Membership;
    try {
      config = loadConfig(file, ctx.env);
      validateNames(config, file ?? '(embedded default)');
      membership = membershipFrom(config, flags, file ?? '(embedded default)');
      if (webConfigFile) web = loadWebConfig(webConfigFile);
    } catch (err) {
      if (err instanceof ConfigError) {
        ctx.stderr.write(`cloudpulse: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (flags['storage.path']) config.storage.path = flags['storage.path'] as string;
    const selfMetricsOnly = flags['web.self-metrics-only'] === true;
    if (selfMetricsOnly && config.remote_write.length === 0) {
      ctx.stderr.write(
        'cloudpulse: --web.self-metrics-only needs a remote_write entry, or nothing exports forecasts\n',
      );
      return 1;
    }

    // restoring a fitted Prophet on this thread needs its Stan optimiser loaded first
    if (config.series.some((s) => s.model === 'prophet')) await loadProphetOptimizer();
    const logger = createLogger(level as LogLevel, ctx.stderr as NodeJS.WritableStream);
    for (const w of configWarnings(config)) logger.warn({ file: file ?? '(embedded default)', key: w.path }, w.message);
    const speed = config.source.simulation.speed;
    const simulatedStart = config.source.simulation.start;
    const clock = config.source.prometheus
      ? Date.now
      : scaledClock(speed, Date.now(), Date.now, simulatedStart ? Date.parse(simulatedStart) : undefined);
    const startTime = clock() / 1000;
    const registry = new Registry();
    const instruments = registerSelfMetrics(registry, () => pipeline);
    const { source, simulation } = createSources(config, logger, startTime, instruments);
    const anomalyLog = config.anomaly_log.path ? new AnomalyLog(config.anomaly_log.path) : undefined;
    const storagePath = config.storage.path;
    if (storagePath) {
      const keep = 2 * Math.max(...config.series.map((e) => e.refit_interval));
      try {
        const pruned = new ModelStore(storagePath).prune(keep);
        if (pruned > 0) logger.info({ pruned, older_than_s: keep }, 'removed stored models too old to restore');
      } catch (err) {
        ctx.stderr.write(`cloudpulse: storage.path: cannot use ${storagePath}: ${(err as Error).message}\n`);
        return 1;
      }
    }
    const pipeline = new Pipeline({
      config,
      source,
      simulation,
      workers: (callbacks) => new ThreadWorker({ config, storagePath }, callbacks),
      workerCount: config.schedule.fit_workers,
      membership,
      clock,
      logger,
      instruments,
      anomalyLog,
    });
    let bearerToken: string | undefined;
    if (config.web.bearer_token_file) {
      try {
        bearerToken = readFileSync(config.web.bearer_token_file, 'utf8').trim();
      } catch (err) {
        ctx.stderr.write(
          `cloudpulse: web.bearer_token_file: cannot read ${config.web.bearer_token_file}: ${(err as Error).message}\n`,
        );
        await pipeline.stop();
        return 1;
      }
    }
    // remote write reads the store like any reader; it is stopped after the pipeline, to send its last changes
    let remoteWrite: RemoteWrite | undefined;
    try {
      const rw = { entries: config.remote_write, store: pipeline.store, registry, logger };
      remoteWrite = startRemoteWrite({
        ...rw,
        now: () => pipeline.now(),
        interval: config.schedule.interval,
        member: membership.member,
      });
    } catch (err) {
      ctx.stderr.write(`cloudpulse: ${(err as Error).message}\n`);
      await pipeline.stop();
      return 1;
    }
    let fleet: FleetAccess;
    try {
      fleet = fleetAccess(config, membership, logger);
    } catch (err) {
      ctx.stderr.write(`cloudpulse: ${(err as Error).message}\n`);
      await pipeline.stop();
      return 1;
    }
    const loopDelay = new EventLoopDelay();
    registerLoopDelayMetric(registry, loopDelay);
    const app = await buildApp({
      ...pipelineReaders(pipeline, config.series),
      forward: fleet.forward,
      loopDelayMs: (s) => loopDelay.maxMs(s),
      registry: new RegistryText(registry, logger),
      logger,
      bearerToken,
      web,
      telemetryPath,
      selfMetricsOnly,
      anomalyLogPath: config.anomaly_log.path,
    });
    try {
      await app.listen({ host: listen.host, port: listen.port });
    } catch (err) {
      ctx.stderr.write(`cloudpulse: cannot listen on ${listen.host}:${listen.port}: ${(err as Error).message}\n`);
      await pipeline.stop();
      return 1;
    }
    let scaler: ScalerServer | undefined;
    if (grpcListen) {
      scaler = new ScalerServer({
        view: fleet.scalerView(pipelineScalerView(pipeline, config)),
        instruments: registerScalerMetrics(registry),
        logger,
        // the gRPC flags win; else the same certificates as the HTTP side (--web.config.file)
        tls: grpcTls ?? (web?.tls ? scalerTlsFromWeb(web.tls) : undefined),
      });
      try {
        await scaler.listen(grpcListen.host, grpcListen.port);
      } catch (err) {
        ctx.stderr.write(
          `cloudpulse: cannot listen on ${grpcListen.host}:${grpcListen.port} (--grpc.listen-address): ${(err as Error).message}\n`,
        );
        await app.close();
        await pipeline.stop();
        return 1;
      }
    }
    logger.info(
      {
        version: VERSION,
        address: `${listen.host}:${listen.port}`,
        tls: web?.tls !== undefined,
        telemetry_path: telemetryPath,
        grpc_address: grpcListen && `${grpcListen.host}:${grpcListen.port}`,
        grpc_tls: grpcListen ? grpcTls !== undefined || web?.tls !== undefined : undefined,
        source: config.source.prometheus ? config.source.prometheus.url.replace(/\/\/[^@/]*@/, '//') : 'simulation',
        series: config.series.map((s) => s.name),
        workers: config.schedule.fit_workers,
        cluster:
          membership.members > 1
            ? {
                member: membership.member,
                members: membership.members,
                replication: membership.replication,
                shard_by: membership.shardBy,
              }
            : undefined,
        simulation_speed: config.source.prometheus ? undefined : speed,
      },
      'cloudpulse started',
    );
    pipeline.start();

    const signal = await new Promise<string>((resolve) => {
      let first: string | undefined;
      const on = (name: string) => () => {
        if (first === undefined) {
          first = name;
          return resolve(name);
        }
        // npx and shells forward a signal the process also got directly: a repeat is ignored,
        // but a second Ctrl-C means "now"
        if (name === 'SIGINT' && first === 'SIGINT') process.exit(130);
        logger.info({ signal: name }, 'already shutting down');
      };
      process.on('SIGTERM', on('SIGTERM'));
      process.on('SIGINT', on('SIGINT'));
    });
    const t0 = performance.now();
    logger.info({ signal, timeout_s: shutdownTimeout }, 'shutting down');
    // stop taking scrapes, abort queries in flight, stop the workers, flush the anomaly log;
    // whatever is still running after the timeout is abandoned (models are saved after each fit)
    const finished = (async () => {
      // KEDA sees the scaler go first and falls back while the rest shuts down
      await scaler?.close();
      await app.close();
      await pipeline.stop();
      await remoteWrite?.stop(shutdownTimeout * 1000 - (performance.now() - t0) - 500);
      await anomalyLog?.flush();
      await source?.close?.();
      await fleet.close();
      return true;
    })().catch((err: Error) => {
      logger.warn({ err: err.message }, 'error while shutting down');
      return true;
    });
    const inTime = await Promise.race([
      finished,
      new Promise<false>((resolve) => setTimeout(resolve, shutdownTimeout * 1000, false).unref()),
    ]);
    logger.info({ seconds: (performance.now() - t0) / 1000, clean: inTime }, 'stopped');
    if (!inTime) process.exit(0);
    return 0;
  },
};
