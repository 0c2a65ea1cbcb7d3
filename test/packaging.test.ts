/**
 * The shipped exporter under the container image's conditions, without a container engine.
 * `npm pack` the exporter, install its production dependencies in a clean directory the way the
 * Dockerfile's deps stage does (`npm ci --omit=dev` on the lockfile, here offline from npm's
 * cache, so the test downloads nothing), then run the packed CLI as UID/GID 65534 with no
 * capabilities, in a mount namespace where every filesystem but /proc, /sys and /dev is
 * read-only, /tmp included (what `readOnlyRootFilesystem: true` with no volumes gives), and
 * reach /-/ready on the embedded simulation: compiled code, worker threads, landing page.
 * Needs root for `unshare -m` (CI runs as root) and util-linux (unshare, setpriv, findmnt).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, freePort, ManagedProcess, stopAll, tempDir, waitFor } from './helpers/index.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const EXPORTER = join(REPO, 'exporter');
const WORKSPACES = ['exporter', 'grafana-plugin', 'test'];
/** the budget for a production install */
const MAX_INSTALL_MB = 150;
/**
 * Build and test tools that must not be installed. (uplot may be: the lockfile install also brings
 * packages other workspaces need in production, e.g. uplot for @grafana/ui; the exporter reads it
 * only at build time.)
 */
const DEV_ONLY = ['@tensorflow', 'esbuild', 'tsx', 'typescript', 'vitest'];

/** Remount everything but the kernel's own filesystems read-only, then drop to nobody. */
const READ_ONLY_AS_NOBODY = `set -e
for m in $(findmnt -rn -o TARGET | sort -u); do
  case "$m" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  mount -o remount,bind,ro "$m"
done
exec setpriv --reuid=65534 --regid=65534 --clear-groups -- env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@"`;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function npm(args: string[], cwd: string): string {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${run.stderr}`);
  return run.stdout;
}

let app: string;
let files: string[];
let cli: string;

beforeAll(() => {
  for (const bin of ['unshare', 'setpriv', 'findmnt']) findBinary(bin);
  if (process.getuid?.() !== 0) {
    throw new Error(
      'test/packaging.test.ts needs root: `unshare -m` makes the read-only mount namespace (CI runs as root)',
    );
  }
  const built = join(EXPORTER, 'dist/cli/main.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    // reported below
  }
  if (builtAt < newestSource(join(EXPORTER, 'src'))) {
    throw new Error(`${built} is missing or older than exporter/src: run \`npm run build -w exporter\``);
  }

  const dir = tempDir('packaging');
  chmodSync(dir, 0o755);
  // what `npm pack` publishes; the build is the one checked above (prepack would redo it)
  const packed = JSON.parse(
    npm(['pack', '--workspace', 'exporter', '--ignore-scripts', '--json', '--pack-destination', dir], REPO),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = packed[0].files.map((f) => f.path);

  // the Dockerfile's deps stage: manifests and lockfile, production dependencies of the exporter
  app = join(dir, 'app');
  for (const ws of WORKSPACES) mkdirSync(join(app, ws), { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(REPO, file), join(app, file));
  for (const ws of WORKSPACES.slice(1)) copyFileSync(join(REPO, ws, 'package.json'), join(app, ws, 'package.json'));
  execFileSync('tar', ['-xzf', join(dir, packed[0].filename), '-C', join(app, 'exporter'), '--strip-components=1']);
  try {
    npm(
      ['ci', '--workspace', 'exporter', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'],
      app,
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n(npm's cache must hold the lockfile's packages: run \`npm ci\` first)`,
      { cause: error },
    );
  }
  cli = join(app, 'exporter/bin/cloudpulse.js');
}, 120_000);

afterAll(stopAll);

describe('the packed exporter', () => {
  it('ships the compiled build, its landing assets and the licence, and no sources', () => {
    for (const path of [
      'bin/cloudpulse.js',
      'dist/cli/main.js',
      'dist/pipeline/worker-thread.js',
      'dist/scaler/externalscaler.proto',
      'dist/static/landing.js',
      'dist/static/uPlot.iife.min.js',
      'dist/static/uPlot.min.css',
      'LICENSE',
    ]) {
      expect(files, path).toContain(path);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.ts') || f.includes('/browser/'))).toEqual([]);
    expect(readFileSync(join(app, 'exporter/LICENSE'), 'utf8')).toBe(readFileSync(join(REPO, 'LICENSE'), 'utf8'));
  });

  it(`installs with production dependencies only, under ${MAX_INSTALL_MB} MB`, () => {
    const installed = readdirSync(join(app, 'node_modules'));
    expect(installed.filter((name) => DEV_ONLY.includes(name))).toEqual([]);
    const kib = Number(execFileSync('du', ['-sk', join(app, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
    expect(kib / 1024).toBeLessThan(MAX_INSTALL_MB);
  });

  it('runs as nobody on a read-only root filesystem with no writable /tmp, and gets ready', async () => {
    const port = await freePort();
    const proc = new ManagedProcess('cloudpulse-read-only', findBinary('unshare'), [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      READ_ONLY_AS_NOBODY,
      'sh',
      process.execPath,
      cli,
      'run',
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    proc.start();
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (!proc.alive) throw new Error(`cloudpulse exited:\n${proc.logs()}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
      },
      { timeout: 90_000, interval: 250, what: `${url}/-/ready (logs:\n${proc.logs()})` },
    );

    // the conditions really held for the serving process (unshare, sh and setpriv exec into it)
    const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    const rootMount = readFileSync(`/proc/${proc.pid}/mountinfo`, 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .find((fields) => fields[4] === '/');
    expect(rootMount?.[5].split(',')).toContain('ro');

    // fits ran on worker threads (ready means forecasts exist) and the prebuilt page is served
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^cloudpulse_forecast\{/m);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const script = await fetch(`${url}/static/landing.js`);
    expect(await script.text()).toBe(readFileSync(join(app, 'exporter/dist/static/landing.js'), 'utf8'));
    expect(proc.logs()).not.toMatch(/EROFS|EACCES|read-only file system/i);
    await proc.stop();
  });

  it('refuses the lstm model and detector at start when TensorFlow.js is not installed', () => {
    const config = join(app, '..', 'lstm.yml');
    writeFileSync(
      config,
      'source:\n  simulation:\n    instances: 1\nseries:\n  - name: cpu\n    query: up\n    simulate: cpu\n    model: lstm\n    detector: lstm\n',
    );
    const run = spawnSync(process.execPath, [cli, 'run', `--config.file=${config}`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    const hint = 'npm install @tensorflow/tfjs@4 @tensorflow/tfjs-backend-wasm@4';
    expect(run.stderr).toContain(`series[0].model: "lstm" needs TensorFlow.js`);
    expect(run.stderr).toContain(`series[0].detector: "lstm" needs TensorFlow.js`);
    expect(run.stderr).toContain(hint);
  });
});
