/**
 * StreamIsActive: KEDA's push triggers (`external-push`) keep one stream per trigger open and act
 * on every message. One timer polls the store for all open streams (the store changes at most
 * once per cycle, so a poll at a fraction of schedule.interval finds every change) and writes to
 * a stream only when its answer changes. A stream ends when the client cancels, when its metadata
 * turns out unusable, or when the server stops.
 */
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from '../util/logger.js';
import { ScalerAnswers } from './answers.js';
import type { IsActiveResponse, ScaledObjectRef } from './contract.js';
import { MetadataError } from './metadata.js';
import type { ScalerInstruments } from './metrics.js';

type Call = ServerWritableStream<ScaledObjectRef, IsActiveResponse>;

interface Open {
  call: Call;
  last?: boolean;
}

export class ActivityStreams {
  private readonly open = new Set<Open>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly answers: ScalerAnswers,
    private readonly instruments: ScalerInstruments,
    private readonly logger: Logger,
    /** seconds between polls */
    private readonly pollSeconds: number,
    private readonly maxStreams: number,
  ) {}

  /** the StreamIsActive handler */
  readonly handle = (call: Call): void => {
    if (this.open.size >= this.maxStreams) {
      return this.fail(call, status.RESOURCE_EXHAUSTED, `at most ${this.maxStreams} StreamIsActive streams`);
    }
    try {
      this.answers.query(call.request);
    } catch (err) {
      if (err instanceof MetadataError) return this.fail(call, status.INVALID_ARGUMENT, err.message);
      throw err;
    }
    const entry: Open = { call };
    this.open.add(entry);
    this.instruments.streams(1);
    call.on('cancelled', () => this.close(entry, 'CANCELLED'));
    void this.push(entry);
    if (!this.timer) {
      this.timer = setInterval(() => this.poll(), this.pollSeconds * 1000);
      this.timer.unref();
    }
  };

  /** End every stream (server shutdown): clients see OK and reconnect elsewhere. */
  closeAll(): void {
    for (const entry of [...this.open]) {
      this.close(entry, 'OK');
      entry.call.end();
    }
  }

  get size(): number {
    return this.open.size;
  }

  private poll(): void {
    for (const entry of [...this.open]) void this.push(entry);
  }

  private async push(entry: Open): Promise<void> {
    // on a fleet, what other members hold is read first
    await this.answers.prepare(entry.call.request);
    if (!this.open.has(entry)) return;
    let active: boolean;
    try {
      const reading = this.answers.read(entry.call.request);
      active = reading.ok && reading.active;
      // an inactive answer is counted once, when it is pushed
      if (!reading.ok && entry.last !== false) this.instruments.inactive(reading.series, reading.reason);
    } catch (err) {
      const known = err instanceof MetadataError;
      if (!known) this.logger.warn({ err: (err as Error).message }, 'StreamIsActive failed');
      this.close(entry, known ? 'INVALID_ARGUMENT' : 'INTERNAL');
      entry.call.emit('error', {
        code: known ? status.INVALID_ARGUMENT : status.INTERNAL,
        details: (err as Error).message,
      });
      return;
    }
    if (active === entry.last) return;
    entry.last = active;
    entry.call.write({ result: active });
  }

  private close(entry: Open, code: string): void {
    if (!this.open.delete(entry)) return;
    this.instruments.streams(-1);
    this.instruments.request('StreamIsActive', code);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private fail(call: Call, code: status, details: string): void {
    this.instruments.request('StreamIsActive', status[code]);
    call.emit('error', { code, details });
  }
}
