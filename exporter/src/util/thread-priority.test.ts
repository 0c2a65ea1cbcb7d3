import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThreadPriority } from './thread-priority.js';

/** a thread that answers every message with its own niceness */
const PROBE = `
  const { parentPort } = require('node:worker_threads');
  const os = require('node:os');
  parentPort.on('message', () => parentPort.postMessage(os.getPriority()));
`;

describe('lowerThreadPriority', () => {
  it.runIf(process.platform === 'linux')('lowers the calling thread alone', async () => {
    const other = new Worker(PROBE, { eval: true });
    const ask = () =>
      new Promise<number>((resolve) => {
        other.once('message', resolve);
        other.postMessage('niceness?');
      });
    const before = getPriority();
    expect(await ask()).toBe(before);
    try {
      expect(lowerThreadPriority(5)).toBe(Math.min(19, before + 5));
      expect(getPriority()).toBe(Math.min(19, before + 5));
      // a thread that was already running keeps its priority
      expect(await ask()).toBe(before);
    } finally {
      await other.terminate();
      try {
        setPriority(before); // raising priority back needs CAP_SYS_NICE; without it the test process stays nicer
      } catch {
        /* not permitted: harmless for a test process */
      }
    }
  });
});
