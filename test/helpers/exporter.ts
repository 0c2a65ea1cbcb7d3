/**
 * Starts the real CloudPulse exporter (`node exporter/bin/cloudpulse.js run`) as a child process
 * on a free loopback port with a config written to a temp dir, as an operator would run it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ManagedProcess, tempDir } from './processes.js';
import { waitFor } from './wait.js';

export const CLI = fileURLToPath(new URL('../../exporter/bin/cloudpulse.js', import.meta.url));

export interface RunningExporter {
  url: string;
  port: number;
  process: ManagedProcess;
  configFile: string;
  /** the /metrics text */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** For an exporter serving TLS (--web.config.file): PEM files the test client trusts and presents. */
export interface ClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

/** GET over HTTPS with the given trust and client certificate; resolves with the status and body. */
export function httpsGet(url: string, tls: ClientTls, headers: Record<string, string> = {}) {
  const read = (f?: string) => (f ? readFileSync(f) : undefined);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key), headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function startExporter(
  configYaml: string,
  extraArgs: string[] = [],
  tls?: ClientTls,
  env: NodeJS.ProcessEnv = {},
  /** the port to listen on (default: a free one) */
  listenPort?: number,
): Promise<RunningExporter> {
  const port = listenPort ?? (await freePort());
  const dir = tempDir('cloudpulse');
  const configFile = join(dir, 'cloudpulse.yml');
  writeFileSync(configFile, configYaml);
  const proc = new ManagedProcess(
    'cloudpulse',
    process.execPath,
    [CLI, 'run', `--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, ...extraArgs],
    env,
  );
  proc.start();
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const get = (path: string) =>
    tls
      ? httpsGet(`${url}${path}`, tls)
      : fetch(`${url}${path}`).then(async (r) => ({ status: r.status, body: await r.text() }));
  await waitFor(
    async () => {
      if (!proc.alive) throw new Error(`cloudpulse exited:\n${proc.logs()}`);
      const res = await get('/-/healthy').catch(() => undefined);
      return res?.status === 200;
    },
    { timeout: 60_000, interval: 200, what: `cloudpulse healthy at ${url}` },
  );
  return {
    url,
    port,
    process: proc,
    configFile,
    metrics: async () => (await get('/metrics')).body,
    stop: () => proc.stop(),
  };
}

/** Samples of one metric family from exposition text, with parsed labels. */
export function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}
