/**
 * The bounded queue between the store and the sender, counted in samples. An entry is one
 * record's exposition bytes at one timestamp (a view of bytes the record already holds, about
 * 100 bytes a sample), so a queued change costs no parsing and no per-sample objects; lines are
 * parsed only when a batch is taken. When a push would pass `capacity`, the oldest samples are
 * dropped (whole entries, or the first lines of one) and the count is returned, so the newest
 * values survive an outage that outlasts the queue.
 */

export interface QueueEntry {
  /** exposition lines, each ending in a newline */
  text: Uint8Array;
  /** sample lines in `text` */
  samples: number;
  /** unix milliseconds, for every line */
  timestamp: number;
  /** send every line as a staleness marker instead of its value */
  stale: boolean;
}

/** One sample line taken from the queue. */
export interface QueuedLine {
  line: string;
  timestamp: number;
  stale: boolean;
}

interface Slot extends QueueEntry {
  /** byte offset of the first line not yet taken or dropped */
  cursor: number;
  /** lines left from the cursor */
  left: number;
  /** monotonic ms when pushed, for the batch deadline */
  pushedAt: number;
}

const NEWLINE = 10;

export class SampleQueue {
  private slots: Slot[] = [];
  private head = 0;
  private total = 0;

  constructor(
    readonly capacity: number,
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    if (!(capacity >= 1)) throw new RangeError(`queue capacity must be at least 1, got ${capacity}`);
  }

  /** samples queued */
  get length(): number {
    return this.total;
  }

  /** monotonic ms at which the oldest queued sample was pushed, or undefined when empty */
  get oldestPushedAt(): number | undefined {
    return this.total > 0 ? this.slots[this.head].pushedAt : undefined;
  }

  /** Adds an entry; returns how many of the oldest samples were dropped to stay within capacity. */
  push(entry: QueueEntry): number {
    if (entry.samples <= 0) return 0;
    this.slots.push({ ...entry, cursor: 0, left: entry.samples, pushedAt: this.monotonic() });
    this.total += entry.samples;
    const over = this.total - this.capacity;
    if (over > 0) this.discard(over);
    return Math.max(0, over);
  }

  /** Takes up to `max` samples, oldest first. */
  take(max: number): QueuedLine[] {
    const out: QueuedLine[] = [];
    while (out.length < max && this.total > 0) {
      const slot = this.slots[this.head];
      const decoder = Buffer.from(slot.text.buffer, slot.text.byteOffset, slot.text.byteLength);
      while (out.length < max && slot.left > 0) {
        const end = slot.text.indexOf(NEWLINE, slot.cursor);
        out.push({ line: decoder.toString('utf8', slot.cursor, end), timestamp: slot.timestamp, stale: slot.stale });
        slot.cursor = end + 1;
        slot.left--;
        this.total--;
      }
      if (slot.left === 0) this.advance();
    }
    return out;
  }

  /** Drops everything; returns how many samples that was. */
  clear(): number {
    const n = this.total;
    this.slots = [];
    this.head = 0;
    this.total = 0;
    return n;
  }

  /** drops the oldest `n` samples */
  private discard(n: number): void {
    while (n > 0 && this.total > 0) {
      const slot = this.slots[this.head];
      if (slot.left <= n) {
        n -= slot.left;
        this.total -= slot.left;
        slot.left = 0;
        this.advance();
        continue;
      }
      for (; n > 0; n--) {
        slot.cursor = slot.text.indexOf(NEWLINE, slot.cursor) + 1;
        slot.left--;
        this.total--;
      }
    }
  }

  private advance(): void {
    this.head++;
    // compact now and then, so the array does not grow with everything ever queued
    if (this.head >= 1024 && this.head * 2 >= this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.slots.length) {
      this.slots = [];
      this.head = 0;
    }
  }
}
