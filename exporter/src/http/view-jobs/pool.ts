/**
 * Model work for the series page, off the main thread: one worker thread, started on the first
 * job and stopped after a quiet minute, runs one job at a time (fits are CPU-bound and the machine
 * serves scrapes first). At most `maxQueued` jobs wait; beyond that `run` refuses at once with
 * ViewJobsBusy (the routes answer 429 with Retry-After), and a job that fails, kills its thread or
 * outlives `timeoutMs` ends in ViewJobFailed (503). The thread's heap is capped. Identical requests
 * share one run, and answers are kept for a while (`cacheMs`) so a page reload does not refit.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../../util/worker-entry.js';
import type { ViewJob } from './jobs.js';

export class ViewJobsBusy extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`busy: ${retryAfterSeconds}s`);
  }
}

export class ViewJobFailed extends Error {}

export interface ViewJobsOptions {
  maxQueued?: number;
  timeoutMs?: number;
  idleMs?: number;
  cacheMs?: number;
  cacheEntries?: number;
  /** heap limit of the worker thread, MB */
  heapMb?: number;
  now?: () => number;
  /** starts the worker thread (tests may substitute one) */
  spawn?: (heapMb: number) => Worker;
}

interface Queued {
  key: string;
  job: ViewJob;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const spawnJobWorker = (heapMb: number) =>
  spawnModuleWorker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: heapMb } });

export class ViewJobs {
  private readonly o: Required<ViewJobsOptions>;
  private worker?: Worker;
  private running?: Queued & { id: number; timer: NodeJS.Timeout };
  private readonly queue: Queued[] = [];
  private readonly shared = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, { at: number; value: unknown }>();
  private idleTimer?: NodeJS.Timeout;
  private nextId = 1;
  /** running mean of job durations, ms, for Retry-After */
  private meanMs = 5000;
  private closed = false;

  constructor(options: ViewJobsOptions = {}) {
    this.o = {
      maxQueued: 2,
      timeoutMs: 120_000,
      idleMs: 60_000,
      cacheMs: 300_000,
      cacheEntries: 32,
      heapMb: 256,
      now: Date.now,
      spawn: spawnJobWorker,
      ...options,
    };
  }

  /** jobs running or waiting */
  get load(): number {
    return (this.running ? 1 : 0) + this.queue.length;
  }

  /**
   * The result of `job`, computed on the worker thread or taken from a run with the same `key`
   * (running, queued or recent). `transfer` lists buffers of the job handed over, not copied.
   */
  async run<T>(key: string, job: ViewJob, transfer: ArrayBuffer[] = []): Promise<{ value: T; cached: boolean }> {
    const hit = this.cache.get(key);
    if (hit && this.o.now() - hit.at < this.o.cacheMs) return { value: hit.value as T, cached: true };
    const pending = this.shared.get(key);
    if (pending) return { value: (await pending) as T, cached: true };
    if (this.closed) throw new ViewJobFailed('shutting down');
    if (this.load >= 1 + this.o.maxQueued) {
      const seconds = Math.ceil((this.meanMs * this.load) / 1000);
      throw new ViewJobsBusy(Math.min(120, Math.max(1, seconds)));
    }
    const promise = new Promise<unknown>((resolve, reject) => {
      this.queue.push({ key, job, transfer, resolve, reject });
    });
    this.shared.set(key, promise);
    this.pump();
    try {
      const value = await promise;
      this.remember(key, value);
      return { value: value as T, cached: false };
    } finally {
      this.shared.delete(key);
    }
  }

  private remember(key: string, value: unknown): void {
    this.cache.delete(key);
    this.cache.set(key, { at: this.o.now(), value });
    while (this.cache.size > this.o.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    clearTimeout(this.idleTimer);
    const next = this.queue.shift()!;
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const started = this.o.now();
    const timer = setTimeout(() => {
      this.stopWorker();
      this.finish(id, new ViewJobFailed(`took longer than ${Math.round(this.o.timeoutMs / 1000)}s and was stopped`));
    }, this.o.timeoutMs);
    this.running = { ...next, id, timer };
    const done = this.running.resolve;
    this.running.resolve = (value) => {
      this.meanMs = 0.7 * this.meanMs + 0.3 * (this.o.now() - started);
      done(value);
    };
    worker.postMessage({ id, job: next.job }, next.transfer);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.o.spawn(this.o.heapMb);
    // the server keeps the process alive; a job alone must not (a test that forgets close() ends)
    worker.unref();
    worker.on('message', (m: { id: number; result?: unknown; error?: string }) =>
      this.finish(m.id, m.error === undefined ? undefined : new ViewJobFailed(m.error), m.result),
    );
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.running) this.finish(this.running.id, new ViewJobFailed(reason));
    };
    worker.on('error', (err: Error) => lost(`worker thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`worker thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private finish(id: number, error: Error | undefined, result?: unknown): void {
    const job = this.running;
    if (!job || job.id !== id) return;
    clearTimeout(job.timer);
    this.running = undefined;
    if (error) job.reject(error);
    else job.resolve(result);
    if (this.queue.length > 0) this.pump();
    else if (!this.closed) {
      this.idleTimer = setTimeout(() => this.stopWorker(), this.o.idleMs);
      this.idleTimer.unref();
    }
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.removeAllListeners();
      void worker.terminate();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const q of this.queue.splice(0)) q.reject(new ViewJobFailed('shutting down'));
    if (this.running) this.finish(this.running.id, new ViewJobFailed('shutting down'));
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.removeAllListeners();
      await worker.terminate();
    }
  }
}
