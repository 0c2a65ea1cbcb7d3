/**
 * Giving memory back after churn. V8 keeps the heap it grew to until a memory-reducing
 * collection, which it starts only when the isolate is idle; an exporter cycling every few
 * seconds rarely is, so after thousands of label sets leave, its resident memory would stay at
 * the peak. When the number of series has fallen a fifth below its peak, a full collection is
 * asked for explicitly (through V8's own `gc` function, enabled for this purpose only) once the
 * drops have been quiet for 2 s, or 10 s after the first drop while they go on. The same
 * collection follows a burst of work (a first load, thousands of fits), whose garbage would
 * otherwise hold the heap at its peak until V8 found the thread idle.
 *
 * Worker threads only: a full collection holds its thread for its whole length (150 ms for the
 * main thread's heap at 10,000 series), and on the main thread that is a scrape kept waiting. The
 * main thread is idle most of the time, which is when V8's own memory reducer runs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

function gc(): () => void {
  if (!collect) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = () => {};
    }
  }
  return collect;
}

const QUIET_MS = 2000;
const MAX_WAIT_MS = 10_000;

export class MemoryCompactor {
  private peak = 0;
  private count = 0;
  private timer?: NodeJS.Timeout;
  private armedAt = 0;

  /** Call with the number of series held after a change. True when a collection is (re)scheduled. */
  observe(count: number): boolean {
    this.count = count;
    this.peak = Math.max(this.peak, count);
    if (count > this.peak * 0.8 || this.peak - count < 50) return false;
    this.schedule();
    return true;
  }

  /** A burst of work has ended: collect once things stay quiet. */
  settled(): void {
    this.schedule();
  }

  private schedule(): void {
    const now = performance.now();
    if (this.timer) clearTimeout(this.timer);
    else this.armedAt = now;
    const delay = Math.max(0, Math.min(QUIET_MS, this.armedAt + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => this.run(), delay).unref();
  }

  private run(): void {
    this.timer = undefined;
    this.peak = this.count;
    gc()();
  }
}
