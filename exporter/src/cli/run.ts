/** `cloudpulse run`: the exporter. Without --config.file it runs on the embedded simulation. */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { ConfigError, loadConfig } from '../config/load.js';
import { validateNames } from '../config/names.js';
import type { Config } from '../config/schema.js';
import { buildApp, DEFAULT_TELEMETRY_PATH, telemetryPathProblem } from '../http/app.js';
import { loadWebConfig, type WebConfig } from '../http/web-config.js';
import { loadProphetOptimizer } from '../models/augurs.js';
import { registerExporterMetrics } from '../metrics/exporter-metrics.js';
import { AnomalyLog } from '../pipeline/anomaly-log.js';
import { WorkerFitter } from '../pipeline/fitter.js';
import { ModelStore } from '../pipeline/model-store.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { createSources } from '../sources/index.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../util/logger.js';
import { VERSION } from '../version.js';
import { parseFlags } from './args.js';
import { UsageError, type Command } from './types.js';

export const DEFAULT_LISTEN_ADDRESS = ':9847';

/** ":9847" -> 0.0.0.0:9847, "127.0.0.1:9847", "[::1]:9847" */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--web.listen-address expects host:port such as :9847, got "${text}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** A clock that runs `speed` times faster than real time from `origin` (for demos and tests). */
export function scaledClock(speed: number, origin = Date.now(), real: () => number = Date.now): () => number {
  if (speed === 1) return real;
  return () => origin + (real() - origin) * speed;
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
  --log.level LEVEL             debug, info, warn or error (default info)
  --storage.path DIR            keep fitted models here across restarts (env MODEL_SAVE_PATH)

Environment: PROMETHEUS_URL, MODEL_SAVE_PATH, FORECAST_INTERVAL_MINUTES override the file.`,

  async run(args, ctx) {
    const flags = parseFlags(
      args,
      [
        { name: 'config.file', type: 'string', env: 'CLOUDPULSE_CONFIG_FILE' },
        { name: 'web.listen-address', type: 'string' },
        { name: 'web.telemetry-path', type: 'string' },
        { name: 'web.config.file', type: 'string' },
        { name: 'log.level', type: 'string' },
        { name: 'storage.path', type: 'string' },
      ],
      ctx.env,
    );
    const level = (flags['log.level'] as string | undefined) ?? 'info';
    if (!LOG_LEVELS.includes(level as LogLevel)) {
      throw new UsageError(`--log.level expects one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
    }
    const listen = parseListenAddress((flags['web.listen-address'] as string | undefined) ?? DEFAULT_LISTEN_ADDRESS);
    const telemetryPath = (flags['web.telemetry-path'] as string | undefined) ?? DEFAULT_TELEMETRY_PATH;
    const pathProblem = telemetryPathProblem(telemetryPath);
    if (pathProblem) throw new UsageError(`--web.telemetry-path: ${pathProblem}`);
    const file = flags['config.file'] as string | undefined;
    const webConfigFile = flags['web.config.file'] as string | undefined;
    let config: Config;
    let web: WebConfig | undefined;
    try {
      config = loadConfig(file, ctx.env);
      validateNames(config, file ?? '(embedded default)');
      if (webConfigFile) web = loadWebConfig(webConfigFile);
    } catch (err) {
      if (err instanceof ConfigError) {
        ctx.stderr.write(`cloudpulse: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (flags['storage.path']) config.storage.path = flags['storage.path'] as string;

    // restoring a fitted Prophet on this thread needs its Stan optimiser loaded first
    if (config.series.some((s) => s.model === 'prophet')) await loadProphetOptimizer();
    const logger = createLogger(level as LogLevel, ctx.stderr as NodeJS.WritableStream);
    const speed = config.source.simulation.speed;
    const clock = config.source.prometheus ? Date.now : scaledClock(speed);
    const startTime = clock() / 1000;
    const { source, simulation } = createSources(config, logger, startTime);
    const fitter = new WorkerFitter(config.schedule.fit_workers);
    const registry = new Registry();
    const instruments = registerExporterMetrics(registry, () => pipeline);
    const pipeline = new Pipeline({
      config,
      source,
      simulation,
      fitter,
      clock,
      logger,
      instruments,
      modelStore: config.storage.path ? new ModelStore(config.storage.path) : undefined,
      anomalyLog: config.anomaly_log.path ? new AnomalyLog(config.anomaly_log.path) : undefined,
    });
    let bearerToken: string | undefined;
    if (config.web.bearer_token_file) {
      try {
        bearerToken = readFileSync(config.web.bearer_token_file, 'utf8').trim();
      } catch (err) {
        ctx.stderr.write(
          `cloudpulse: web.bearer_token_file: cannot read ${config.web.bearer_token_file}: ${(err as Error).message}\n`,
        );
        await fitter.close();
        return 1;
      }
    }
    const app = await buildApp({ pipeline, registry, logger, bearerToken, web, telemetryPath });
    try {
      await app.listen({ host: listen.host, port: listen.port });
    } catch (err) {
      ctx.stderr.write(`cloudpulse: cannot listen on ${listen.host}:${listen.port}: ${(err as Error).message}\n`);
      await fitter.close();
      return 1;
    }
    logger.info(
      {
        version: VERSION,
        address: `${listen.host}:${listen.port}`,
        tls: web?.tls !== undefined,
        telemetry_path: telemetryPath,
        source: config.source.prometheus ? config.source.prometheus.url.replace(/\/\/[^@/]*@/, '//') : 'simulation',
        series: config.series.map((s) => s.name),
        simulation_speed: config.source.prometheus ? undefined : speed,
      },
      'cloudpulse started',
    );
    pipeline.start();

    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        resolve();
      };
      const onTerm = () => shutdown('SIGTERM');
      const onInt = () => shutdown('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    // stop taking scrapes, finish the running cycle, then release workers and connections
    await app.close();
    await pipeline.stop().catch(() => {});
    await fitter.close();
    await source?.close?.();
    return 0;
  },
};
