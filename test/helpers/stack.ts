/**
 * The real monitoring stack on loopback for integration tests: prometheus, prometheus-node-exporter
 * and prometheus-alertmanager (Debian packages), each on a free port with its own temp config and
 * data dir. Configs are written as JSON, which YAML parsers read as YAML.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary, freePort, ManagedProcess, tempDir } from './processes.js';
import { waitFor } from './wait.js';

export interface RunningService {
  url: string;
  port: number;
  process: ManagedProcess;
  /** stops the process (SIGTERM, then SIGKILL) and waits for it to exit */
  stop(): Promise<void>;
}

/** Starts `proc` and waits until `readyUrl` answers 200; fails at once with its output if it dies. */
async function startAndWait(proc: ManagedProcess, readyUrl: string, timeoutMs = 60_000): Promise<void> {
  proc.start();
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    if (!proc.alive) {
      throw new Error(`${proc.name} exited before it was ready (${proc.bin} ${proc.args.join(' ')})\n${proc.logs()}`);
    }
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${proc.name} not ready at ${readyUrl} after ${timeoutMs} ms (${last})\n${proc.logs()}`);
    }
    await sleep(100);
  }
}

export interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
  scrape_interval?: string;
  metrics_path?: string;
  [key: string]: unknown;
}

/** One static scrape job; `targets` as host:port or URLs (the scheme and path are dropped). */
export function scrapeJob(jobName: string, targets: string[], scrapeInterval = '1s'): ScrapeConfig {
  return {
    job_name: jobName,
    scrape_interval: scrapeInterval,
    static_configs: [{ targets: targets.map((t) => t.replace(/^https?:\/\//, '').replace(/\/.*$/, '')) }],
  };
}

export interface PrometheusOptions {
  /** scrape jobs (see scrapeJob); ignored when configYaml is given */
  scrapeConfigs?: ScrapeConfig[];
  /** a whole prometheus.yml instead of the generated one */
  configYaml?: string;
  /** absolute paths of rule files */
  ruleFiles?: string[];
  /** e.g. http://127.0.0.1:9093 */
  alertmanagerUrl?: string;
  /** global scrape and rule evaluation interval (default 1s) */
  interval?: string;
  extraArgs?: string[];
  /** runs once before the first start, e.g. to backfill the TSDB at `dataDir` (helpers/backfill.ts) */
  beforeStart?: (dataDir: string) => Promise<void>;
}

export interface RunningPrometheus extends RunningService {
  dataDir: string;
  configFile: string;
  /** starts it again on the same port and data dir after stop() */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const bin = findBinary('prometheus');
  const port = await freePort();
  const dir = tempDir('prometheus');
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  const interval = options.interval ?? '1s';
  let text = options.configYaml;
  if (text === undefined) {
    const config: Record<string, unknown> = {
      global: { scrape_interval: interval, evaluation_interval: interval },
      scrape_configs: options.scrapeConfigs ?? [],
    };
    if (options.ruleFiles?.length) config.rule_files = options.ruleFiles;
    if (options.alertmanagerUrl) {
      const am = new URL(options.alertmanagerUrl);
      config.alerting = {
        alertmanagers: [
          {
            scheme: am.protocol.replace(':', ''),
            path_prefix: am.pathname,
            static_configs: [{ targets: [am.host] }],
          },
        ],
      };
    }
    text = JSON.stringify(config, null, 2);
  }
  writeFileSync(configFile, text);
  const proc = new ManagedProcess('prometheus', bin, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    ...(options.extraArgs ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  const start = () => startAndWait(proc, `${url}/-/ready`);
  await options.beforeStart?.(dataDir);
  await start();
  const stop = () => proc.stop();
  return {
    url,
    port,
    dataDir,
    configFile,
    process: proc,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
  };
}

export async function startNodeExporter(options: { extraArgs?: string[] } = {}): Promise<RunningService> {
  const bin = findBinary('prometheus-node-exporter');
  const port = await freePort();
  const proc = new ManagedProcess('prometheus-node-exporter', bin, [
    `--web.listen-address=127.0.0.1:${port}`,
    ...(options.extraArgs ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await startAndWait(proc, `${url}/metrics`);
  return { url, port, process: proc, stop: () => proc.stop() };
}

export interface AlertmanagerOptions {
  /** where notifications are POSTed (see startWebhookReceiver) */
  webhookUrl: string;
  /** a whole alertmanager.yml instead of the generated one */
  configYaml?: string;
  extraArgs?: string[];
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningService> {
  const bin = findBinary('prometheus-alertmanager');
  const port = await freePort();
  const dir = tempDir('alertmanager');
  const configFile = join(dir, 'alertmanager.yml');
  const config = {
    route: {
      receiver: 'webhook',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url: options.webhookUrl, send_resolved: true }] }],
  };
  writeFileSync(configFile, options.configYaml ?? JSON.stringify(config, null, 2));
  const proc = new ManagedProcess('prometheus-alertmanager', bin, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    ...(options.extraArgs ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await startAndWait(proc, `${url}/-/ready`);
  return { url, port, process: proc, stop: () => proc.stop() };
}

/**
 * A node-exporter scraped every second by a Prometheus, returned once Prometheus has enough
 * scrapes for `rate(node_cpu_seconds_total[5s])`: a live load for the exporter to forecast.
 */
export async function startNodeStack(): Promise<{ nodeExporter: RunningService; prometheus: RunningPrometheus }> {
  const nodeExporter = await startNodeExporter();
  const prometheus = await startPrometheus({ scrapeConfigs: [scrapeJob('node', [nodeExporter.url])] });
  await waitFor(
    async () => {
      const q = encodeURIComponent('count(rate(node_cpu_seconds_total{mode="idle"}[5s]))');
      const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${q}`)).json()) as {
        data: { result: unknown[] };
      };
      return body.data.result.length > 0;
    },
    { timeout: 30_000, what: 'node_cpu_seconds_total rates in Prometheus' },
  );
  return { nodeExporter, prometheus };
}
