/**
 * How the pipeline talks to a worker: the same commands and updates whether the worker runs on a
 * worker thread (the exporter) or inline on the calling thread (tests, small offline uses).
 */
import type { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { spawnModuleWorker } from '../util/worker-entry.js';
import { ingestBuffers } from './ingest-batch.js';
import { ModelStore } from './model-store.js';
import { SeriesWorker } from './worker.js';
import type { WorkerCommand, WorkerUpdate } from './worker-messages.js';

export interface WorkerHandle {
  /** queue a command; its effects arrive as updates */
  submit(cmd: WorkerCommand): void;
  /** queue a command and wait for its result */
  request<T>(cmd: WorkerCommand): Promise<T>;
  close(): Promise<void>;
}

export interface WorkerCallbacks {
  update(update: WorkerUpdate): void;
  /** the worker died and lost its series (its thread crashed); the pipeline reloads them */
  lost(error: Error): void;
}

export interface WorkerSetup {
  config: Config;
  /** directory of stored models, if any */
  storagePath?: string;
}

export class InlineWorker implements WorkerHandle {
  private readonly worker: SeriesWorker;

  constructor(setup: WorkerSetup, callbacks: WorkerCallbacks) {
    this.worker = new SeriesWorker({
      config: setup.config,
      modelStore: setup.storagePath ? new ModelStore(setup.storagePath) : undefined,
      publish: (u) => callbacks.update(u),
    });
  }

  submit(cmd: WorkerCommand): void {
    this.worker.submit(cmd);
  }

  request<T>(cmd: WorkerCommand): Promise<T> {
    return new Promise((resolve) => this.worker.submit(cmd, (v) => resolve(v as T)));
  }

  async close(): Promise<void> {}
}

/** the typed arrays a message can hand over instead of copying */
function transferables(cmd: WorkerCommand): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  if (cmd.type === 'ingest') for (const b of ingestBuffers(cmd.batch)) out.add(b);
  else if (cmd.type === 'train') {
    for (const s of cmd.series) out.add(s.values.buffer as ArrayBuffer);
  }
  return [...out];
}

export class ThreadWorker implements WorkerHandle {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly callbacks: WorkerCallbacks,
  ) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = spawnModuleWorker(new URL('./worker-thread.js', import.meta.url), { workerData: this.setup });
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'update') this.callbacks.update(msg.update);
      else {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error !== undefined) p?.reject(new Error(String(msg.error)));
        else p?.resolve(msg.result);
      }
    });
    worker.on('error', (err: Error) => this.died(err));
    worker.on('exit', (code) => {
      if (!this.closed) this.died(new Error(`worker thread exited with code ${code}`));
    });
    return worker;
  }

  private died(err: Error): void {
    if (this.closed) return;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.worker.removeAllListeners();
    void this.worker.terminate();
    this.worker = this.spawn();
    this.callbacks.lost(err);
  }

  submit(cmd: WorkerCommand): void {
    this.worker.postMessage({ type: 'command', cmd }, transferables(cmd));
  }

  request<T>(cmd: WorkerCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ type: 'request', id, cmd }, transferables(cmd));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('worker closed'));
    this.pending.clear();
    await this.worker.terminate();
  }
}

export type WorkerMessage =
  { type: 'update'; update: WorkerUpdate } | { type: 'reply'; id: number; result?: unknown; error?: string };
