/** The view's worker thread: runs one job per message (jobs.ts) and answers with its result or error. */
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '../../util/thread-priority.js';
import { runViewJob, type ViewJob } from './jobs.js';

// a backtest for the page yields the CPU to scrapes
lowerThreadPriority();

parentPort!.on('message', (message: { id: number; job: ViewJob }) => {
  runViewJob(message.job).then(
    (result) => parentPort!.postMessage({ id: message.id, result }),
    (err: unknown) =>
      parentPort!.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
