/** Polling with a deadline, and an HTTP readiness probe built on it. */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** give up after this many ms (default 30 s) */
  timeout?: number;
  /** poll every this many ms (default 200) */
  interval?: number;
  /** what is awaited, for the timeout message */
  what: string;
}

/**
 * Calls `fn` until it returns something other than undefined, null or false, and returns that.
 * Errors thrown by `fn` count as "not yet"; the last one is in the timeout message.
 */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeout = 30_000, interval = 200, what }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: string;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      last = `last result: ${String(value)}`;
    } catch (err) {
      last = `last error: ${(err as Error).message}`;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (${last})`);
    await sleep(interval);
  }
}

/** Resolves once GET `url` answers 200; `describe` adds context (e.g. the process log) on timeout. */
export async function waitForHttpOk(
  url: string,
  what: string,
  timeout = 30_000,
  describe?: () => string,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        return true;
      },
      { timeout, what },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}${describe ? `\n--- output ---\n${describe()}` : ''}`, {
      cause: err,
    });
  }
}
