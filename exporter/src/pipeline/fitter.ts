/**
 * Model fitting, inline or on worker threads. The exporter uses the worker pool so a long fit
 * never delays a scrape or a cycle; the offline commands fit inline. Both speak the same
 * request/response, and a fitted model crosses the thread boundary as its plain JSON state.
 */
import type { Worker } from 'node:worker_threads';
import { getModel } from '../models/index.js';
import { spawnModuleWorker } from '../util/worker-entry.js';
import type { SerializedModel } from '../models/types.js';

export interface FitRequest {
  model: string;
  values: number[] | Float64Array;
  start: number;
  step: number;
  seasonLengths?: number[];
  seed?: number;
}

export interface FitResponse {
  state: SerializedModel;
  description: string;
  seconds: number;
}

export interface Fitter {
  fit(request: FitRequest): Promise<FitResponse>;
  close(): Promise<void>;
}

export async function fitNow(request: FitRequest): Promise<FitResponse> {
  const factory = getModel(request.model);
  if (!factory) throw new Error(`unknown model "${request.model}"`);
  const t0 = performance.now();
  const fitted = await factory.fit(
    { values: request.values, start: request.start, step: request.step },
    { seasonLengths: request.seasonLengths, seed: request.seed },
  );
  return { state: fitted.toJSON(), description: fitted.description, seconds: (performance.now() - t0) / 1000 };
}

export class InlineFitter implements Fitter {
  fit(request: FitRequest): Promise<FitResponse> {
    return fitNow(request);
  }
  async close(): Promise<void> {}
}

interface Job {
  id: number;
  request: FitRequest;
  resolve: (r: FitResponse) => void;
  reject: (e: Error) => void;
}

/** A fixed pool of worker threads with a FIFO queue. A crashed worker is replaced. */
export class WorkerFitter implements Fitter {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const worker = spawnModuleWorker(new URL('./fit-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (msg: { id: number; ok: boolean; response?: FitResponse; error?: string }) => {
      const job = this.busy.get(worker);
      if (!job || job.id !== msg.id) return;
      this.busy.delete(worker);
      if (msg.ok) job.resolve(msg.response!);
      else job.reject(new Error(msg.error));
      this.release(worker);
    });
    worker.on('error', (err: Error) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      job?.reject(err);
      if (!this.closed) this.release(this.spawn());
    });
    return worker;
  }

  private release(worker: Worker): void {
    const job = this.queue.shift();
    if (job) this.dispatch(worker, job);
    else this.idle.push(worker);
  }

  private dispatch(worker: Worker, job: Job): void {
    this.busy.set(worker, job);
    worker.postMessage({ id: job.id, request: job.request });
  }

  fit(request: FitRequest): Promise<FitResponse> {
    if (this.closed) return Promise.reject(new Error('fitter is closed'));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, request, resolve, reject };
      const worker = this.idle.pop();
      if (worker) this.dispatch(worker, job);
      else this.queue.push(job);
    });
  }

  get pending(): number {
    return this.queue.length + this.busy.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('fitter closed'));
    const all = [...this.idle, ...this.busy.keys()];
    await Promise.all(all.map((w) => w.terminate()));
  }
}
