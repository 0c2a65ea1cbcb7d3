/**
 * Real binaries for integration tests: find them (a missing one is a failure that says what to
 * install, never a skip), give them free loopback ports and temp dirs, and make sure none outlives
 * the test process: `stopAll()` in afterAll, a kill on process exit, and on Linux a parent-death
 * signal (setpriv --pdeathsig) so even a SIGKILLed test runner leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Debian package that ships each binary the tests use. */
const PACKAGE_OF: Record<string, string> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-node-exporter': 'prometheus-node-exporter',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  go: 'golang-go',
  unshare: 'util-linux',
  setpriv: 'util-linux',
  findmnt: 'util-linux',
};

/** Absolute path of `name` on PATH, or an error naming the package to install. */
export function findBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  const pkg = PACKAGE_OF[name] ?? name;
  throw new Error(`${name} not found: install the Debian package \`${pkg}\` (apt-get install ${pkg})`);
}

/**
 * The jemalloc shared library the image preloads (Dockerfile: LD_PRELOAD), or an error naming the
 * package: tests that judge resident memory run the exporter with the allocator it ships with.
 */
export function findJemalloc(): string {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']) {
    const candidate = join(dir, 'libjemalloc.so.2');
    try {
      accessSync(candidate, constants.R_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    'libjemalloc.so.2 not found: install the Debian package `libjemalloc2` (apt-get install libjemalloc2)',
  );
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const tempDirs = new Set<string>();
const running = new Set<ManagedProcess>();

/** A temp dir removed by stopAll() / at exit. */
/** `count` consecutive free ports starting at a multiple of 10 (for `{member}` URL templates) */
export async function freePortRun(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 10 * (2000 + Math.floor(Math.random() * 4000));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cloudpulse-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

const LOG_LINES = 200;

export class ManagedProcess {
  private child?: ChildProcess;
  private exit?: Promise<void>;
  private readonly output: string[] = [];

  constructor(
    readonly name: string,
    readonly bin: string,
    readonly args: string[],
    /** added to this process's environment */
    readonly env: NodeJS.ProcessEnv = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process printed (for failure messages). */
  logs(): string {
    return this.output.join('');
  }

  start(): void {
    if (this.alive) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const usePdeathsig = process.platform === 'linux' && hasSetpriv();
    const [cmd, argv] = usePdeathsig
      ? ['setpriv', ['--pdeathsig', 'KILL', '--', this.bin, ...this.args]]
      : [this.bin, this.args];
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > LOG_LINES) this.output.splice(0, this.output.length - LOG_LINES);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exit = new Promise((resolve) => {
      child.on('exit', () => resolve());
      child.on('error', (err) => {
        keep(Buffer.from(`spawn failed: ${err.message}\n`));
        resolve();
      });
    });
    running.add(this);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) {
      running.delete(this);
      return;
    }
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
    running.delete(this);
  }

  /** Synchronous last resort, used at process exit. */
  kill(): void {
    if (this.alive) this.child!.kill('SIGKILL');
    running.delete(this);
  }
}

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  if (setprivFound === undefined) {
    try {
      findBinary('setpriv');
      setprivFound = true;
    } catch {
      setprivFound = false;
    }
  }
  return setprivFound;
}

/** Stops every process these helpers started and removes their temp dirs. Call from afterAll. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', () => {
  for (const p of [...running]) p.kill();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
