/** Body of a worker thread: commands in, updates out (pipeline/worker-handle.ts is the other end). */
import { parentPort, workerData } from 'node:worker_threads';
import { loadProphetOptimizer } from '../models/augurs.js';
import { lowerThreadPriority } from '../util/thread-priority.js';
import { ModelStore } from './model-store.js';
import { SeriesWorker } from './worker.js';
import type { WorkerCommand, WorkerUpdate } from './worker-messages.js';
import type { WorkerSetup, WorkerMessage } from './worker-handle.js';

const setup = workerData as WorkerSetup;
// model work yields the CPU to the main thread, which answers scrapes
lowerThreadPriority();
// restoring or fitting Prophet on this thread needs its Stan optimiser loaded first
if (setup.config.series.some((s) => s.model === 'prophet')) await loadProphetOptimizer();

/** hand the record buffers over instead of copying them */
function transferables(update: WorkerUpdate): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const r of update.records) {
    out.add(r.exposition.buffer as ArrayBuffer);
    out.add(r.offsets.buffer as ArrayBuffer);
    if (r.forecast) {
      out.add(r.forecast.point.buffer as ArrayBuffer);
      for (const iv of r.forecast.intervals) {
        out.add(iv.lower.buffer as ArrayBuffer);
        out.add(iv.upper.buffer as ArrayBuffer);
      }
    }
  }
  return [...out];
}

const worker = new SeriesWorker({
  config: setup.config,
  modelStore: setup.storagePath ? new ModelStore(setup.storagePath) : undefined,
  publish: (update) =>
    parentPort!.postMessage({ type: 'update', update } satisfies WorkerMessage, transferables(update)),
});

parentPort!.on('message', (msg: { type: 'command' | 'request'; id?: number; cmd: WorkerCommand }) => {
  if (msg.type === 'command') worker.submit(msg.cmd);
  else
    worker.submit(msg.cmd, (result) =>
      parentPort!.postMessage({ type: 'reply', id: msg.id!, result } satisfies WorkerMessage),
    );
});
