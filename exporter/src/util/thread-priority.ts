/**
 * Lower the calling thread's CPU priority, on Linux only. Model work runs on worker threads; the
 * main thread answers scrapes. When the CPU is short (a first load, several members or other
 * pods on the node), the kernel should run the main thread first: a scrape never waits for
 * model work. Linux's setpriority(2) on a thread id changes that thread alone, and a worker
 * learns its id from /proc/thread-self; elsewhere (or without /proc) the thread stays as it is.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** the niceness model-work threads add to their own: low enough to yield, not to starve */
export const WORKER_NICENESS = 10;

/** Returns the thread's new niceness, or undefined where it could not be changed. */
export function lowerThreadPriority(by = WORKER_NICENESS): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    const niceness = Math.min(19, getPriority(tid) + by);
    setPriority(tid, niceness);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
