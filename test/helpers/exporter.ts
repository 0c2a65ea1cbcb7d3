/**
 * Starts the real CloudPulse exporter (`node exporter/bin/cloudpulse.js run`) as a child process
 * on a free loopback port with a config written to a temp dir, as an operator would run it.
 */
import { writeFileSync } from 'node:fs';
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

export async function startExporter(configYaml: string, extraArgs: string[] = []): Promise<RunningExporter> {
  const port = await freePort();
  const dir = tempDir('cloudpulse');
  const configFile = join(dir, 'cloudpulse.yml');
  writeFileSync(configFile, configYaml);
  const proc = new ManagedProcess('cloudpulse', process.execPath, [
    CLI,
    'run',
    `--config.file=${configFile}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...extraArgs,
  ]);
  proc.start();
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!proc.alive) throw new Error(`cloudpulse exited:\n${proc.logs()}`);
      const res = await fetch(`${url}/-/healthy`).catch(() => undefined);
      return res?.status === 200;
    },
    { timeout: 60_000, interval: 200, what: `cloudpulse healthy at ${url}` },
  );
  return {
    url,
    port,
    process: proc,
    configFile,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
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
