/** Worker thread body: fit requests in, plain model state out. */
import { parentPort } from 'node:worker_threads';
import { fitNow, type FitRequest } from './fitter.js';

parentPort!.on('message', async (msg: { id: number; request: FitRequest }) => {
  try {
    const response = await fitNow(msg.request);
    parentPort!.postMessage({ id: msg.id, ok: true, response });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ok: false, error: (err as Error).message });
  }
});
