/**
 * One `remote_write` entry: reads the store (only the store: sources -> pipeline -> store ->
 * readers), queues each record's exposition lines when the record changes, and sends them in
 * batches. What goes out, and when:
 *
 * - A new or changed record: all its lines, stamped with `computedAt` (else `forecastAt`, else
 *   this writer's clock), so the receiver holds what `/metrics` served at that moment.
 * - An unchanged record: all its lines again every `resendInterval`, stamped with the clock then,
 *   as a scrape of an unchanged gauge would record it, so the receiver's 5-minute lookback never
 *   loses a series that is still exported.
 * - A line a changed record no longer has, and every line of a record that left the store:
 *   Prometheus' staleness marker, as a scrape that stops finding a series writes one. Remote
 *   write 1.0 has no deletion; this is how a receiver learns a series ended.
 *
 * Timestamps of a series only grow (one millisecond past the last one when a clock would go
 * back), since a receiver refuses out-of-order samples with a 400 that loses the whole batch.
 * One request is in flight at a time, which keeps every series in order.
 */
import type { RemoteWriteConfig } from '../config/schema.js';
import type { SeriesRecord } from '../store/record.js';
import type { SeriesStoreReader } from '../store/series-store.js';
import type { Logger } from '../util/logger.js';
import { authorization, clientAgent, redactedUrl, requestUrl } from '../util/client-auth.js';
import { writeRequestBody } from './encoder.js';
import type { RemoteWriteInstruments, RemoteWriteMetrics } from './metrics.js';
import { SampleQueue, type QueuedLine } from './queue.js';
import { countLines, parseSampleLine, vanishedLines, withExternalLabels, type Label } from './samples.js';
import type { TimeSeries } from './samples.js';
import { attempt, deliver, type AttemptResult, type DeliveryOptions } from './sender.js';

export interface RemoteWriterOptions {
  config: RemoteWriteConfig;
  /** the entry's key path, for messages: `remote_write[0]` */
  where: string;
  store: SeriesStoreReader;
  /** seconds between sends of an unchanged series */
  resendInterval: number;
  /** the pipeline's clock, unix seconds */
  now: () => number;
  logger: Logger;
  metrics: RemoteWriteMetrics;
  /** one POST of a request body; HTTP to `config.url` unless a test gives another */
  send?: (body: Buffer, signal: AbortSignal) => Promise<AttemptResult>;
  sleep?: DeliveryOptions['sleep'];
  /** how long after a store change the store is read, ms (default 100) */
  scanDelayMs?: number;
}

interface Tracked {
  record: SeriesRecord;
  /** unix ms of the last samples queued */
  lastTs: number;
  /** the scan that last saw it in the store */
  seen: number;
}

/** a repeated failure is logged at most this often */
const LOG_EVERY_MS = 30_000;

export class RemoteWriter {
  readonly url: string;
  readonly name: string;
  private readonly queue: SampleQueue;
  private readonly instruments: RemoteWriteInstruments;
  private readonly external: Label[];
  private readonly tracked = new Map<string, Tracked>();
  private readonly abort = new AbortController();
  private readonly send: (body: Buffer, signal: AbortSignal) => Promise<AttemptResult>;
  private readonly closeClient: () => Promise<void>;
  private readonly resendMs: number;
  private scans = 0;
  private scanTimer?: NodeJS.Timeout;
  private resendTimer?: NodeJS.Timeout;
  private inFlight = 0;
  private highest = 0;
  private stopping = false;
  private wake?: () => void;
  /** the send loop waits for anything to be queued */
  private idle = false;
  private loop?: Promise<void>;
  private readonly lastLog = new Map<string, { at: number; suppressed: number }>();
  private failing = false;

  constructor(private readonly o: RemoteWriterOptions) {
    const c = o.config;
    this.url = redactedUrl(c.url);
    this.name = c.name ?? '';
    this.resendMs = o.resendInterval * 1000;
    this.queue = new SampleQueue(c.queue_config.capacity);
    this.external = Object.entries(c.external_labels).map(([name, value]) => ({ name, value }));
    this.instruments = o.metrics.target(
      { remote_name: this.name, url: this.url },
      {
        pending: () => this.queue.length + this.inFlight,
        capacity: c.queue_config.capacity,
        highestSent: () => this.highest,
      },
    );
    if (o.send) {
      this.send = o.send;
      this.closeClient = async () => {};
    } else {
      const agent = clientAgent(c, c.timeout, o.where);
      const auth = authorization(c, c.url, o.where);
      const options = {
        url: requestUrl(c.url),
        agent,
        timeoutSeconds: c.timeout,
        retryOn429: c.queue_config.retry_on_http_429,
        headers: () => {
          const value = auth();
          return value ? { ...c.headers, authorization: value } : { ...c.headers };
        },
      };
      this.send = (body, signal) => attempt(options, body, signal);
      this.closeClient = () => agent.close();
    }
  }

  /** samples queued or in flight */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  start(): void {
    this.o.store.onChange(() => this.scheduleScan());
    // unchanged series are looked at this often for their re-send
    const every = Math.min(5000, Math.max(100, this.resendMs / 10));
    this.resendTimer = setInterval(() => this.scan(), every);
    this.resendTimer.unref();
    this.scan();
    this.loop = this.run();
  }

  /**
   * Reads the last changes, then sends what is queued until the queue is empty or `timeoutMs`
   * has passed; what is left then is counted as dropped. Call after the pipeline has stopped.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopping) return;
    this.scan();
    this.stopping = true;
    clearTimeout(this.scanTimer);
    clearInterval(this.resendTimer);
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      (this.loop ?? Promise.resolve()).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs), false))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      this.abort.abort();
      await this.loop;
    }
    const left = this.queue.clear();
    if (left > 0) {
      this.instruments.dropped(left);
      this.o.logger.warn({ remote_write: this.url, samples: left }, 'remote write: samples left unsent at shutdown');
    }
    await this.closeClient();
  }

  private scheduleScan(): void {
    if (this.scanTimer || this.stopping) return;
    this.scanTimer = setTimeout(() => {
      this.scanTimer = undefined;
      this.scan();
    }, this.o.scanDelayMs ?? 100);
    this.scanTimer.unref();
  }

  /** Compares the store with what was last queued from it and queues the difference. */
  scan(): void {
    if (this.stopping) return;
    const scan = ++this.scans;
    const nowMs = Math.round(this.o.now() * 1000);
    let present = 0;
    for (const record of this.o.store.records()) {
      present++;
      const t = this.tracked.get(record.key);
      if (!t) {
        const ts = stamp(record, nowMs);
        this.tracked.set(record.key, { record, lastTs: ts, seen: scan });
        this.enqueue(record.exposition, ts, false);
        continue;
      }
      t.seen = scan;
      if (t.record !== record) {
        const ts = Math.max(stamp(record, nowMs), t.lastTs + 1);
        const gone = vanishedLines(t.record.exposition, record.exposition);
        if (gone) this.enqueue(gone, ts, true);
        this.enqueue(record.exposition, ts, false);
        t.record = record;
        t.lastTs = ts;
      } else if (nowMs - t.lastTs >= this.resendMs) {
        t.lastTs = Math.max(nowMs, t.lastTs + 1);
        this.enqueue(record.exposition, t.lastTs, false);
      }
    }
    if (this.tracked.size === present) return;
    for (const [key, t] of this.tracked) {
      if (t.seen === scan) continue;
      this.enqueue(t.record.exposition, Math.max(nowMs, t.lastTs + 1), true);
      this.tracked.delete(key);
    }
  }

  private enqueue(text: Uint8Array, timestamp: number, stale: boolean): void {
    const samples = countLines(text);
    if (samples === 0) return;
    this.instruments.samplesIn(samples);
    const dropped = this.queue.push({ text, samples, timestamp, stale });
    if (dropped > 0) {
      this.instruments.dropped(dropped);
      this.note(
        'dropped',
        { samples: dropped, capacity: this.queue.capacity },
        'remote write queue full: oldest dropped',
      );
    }
    // an idle loop starts the batch deadline; a full batch goes at once
    if (this.idle || this.queue.length >= this.o.config.queue_config.max_samples_per_send) this.wake?.();
  }

  /** The send loop: a batch when max_samples_per_send are queued or the oldest has waited long enough. */
  private async run(): Promise<void> {
    const { max_samples_per_send: max, batch_send_deadline } = this.o.config.queue_config;
    while (!this.abort.signal.aborted) {
      const oldest = this.queue.oldestPushedAt;
      if (oldest === undefined) {
        if (this.stopping) return;
        await this.sleep();
        continue;
      }
      const wait = batch_send_deadline * 1000 - (performance.now() - oldest);
      if (!this.stopping && this.queue.length < max && wait > 0) {
        await this.sleep(wait);
        continue;
      }
      const lines = this.queue.take(max);
      this.inFlight = lines.length;
      await this.sendBatch(lines);
      this.inFlight = 0;
    }
  }

  /** until wake() or `ms` */
  private sleep(ms?: number): Promise<void> {
    this.idle = ms === undefined;
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.idle = false;
        resolve();
      };
      this.wake = done;
    });
  }

  private async sendBatch(lines: QueuedLine[]): Promise<void> {
    const { series, newest, bad } = this.toTimeSeries(lines);
    if (bad > 0) this.instruments.failed(bad);
    if (series.length === 0) return;
    const n = series.length;
    const body = await writeRequestBody(series);
    const q = this.o.config.queue_config;
    const outcome = await deliver(
      this.send,
      body,
      this.abort.signal,
      { minBackoffMs: q.min_backoff * 1000, maxBackoffMs: q.max_backoff * 1000, sleep: this.o.sleep },
      {
        attempted: (seconds) => this.instruments.sendDuration(seconds),
        retrying: (result, waitMs, retry) => {
          this.instruments.retried(n);
          if (!this.failing) this.lastLog.delete('retry');
          this.failing = true;
          this.note(
            'retry',
            { err: result.message, retry: retry + 1, wait_ms: waitMs },
            'remote write failed, retrying',
          );
        },
      },
    );
    if (outcome.sent) {
      this.instruments.sent(n);
      this.highest = Math.max(this.highest, newest / 1000);
      if (this.failing) this.o.logger.info({ remote_write: this.url }, 'remote write recovered');
      this.failing = false;
    } else if (outcome.aborted) {
      this.instruments.dropped(n);
    } else {
      this.instruments.failed(n);
      this.note('failed', { err: outcome.result.message, samples: n }, 'remote write refused a batch; not retried');
    }
  }

  private toTimeSeries(lines: QueuedLine[]): { series: TimeSeries[]; newest: number; bad: number } {
    const series: TimeSeries[] = [];
    let newest = 0;
    let bad = 0;
    for (const l of lines) {
      try {
        const parsed = parseSampleLine(l.line);
        if (!parsed) continue;
        series.push({
          labels: withExternalLabels(parsed.labels, this.external),
          samples: [{ value: parsed.value, timestamp: l.timestamp, stale: l.stale }],
        });
        if (l.timestamp > newest) newest = l.timestamp;
      } catch (err) {
        bad++;
        this.note('parse', { err: (err as Error).message }, 'remote write: a sample line could not be read');
      }
    }
    return { series, newest, bad };
  }

  /** warns, at most once per LOG_EVERY_MS for the same kind, with how many were held back */
  private note(kind: string, fields: object, message: string): void {
    const now = performance.now();
    const last = this.lastLog.get(kind);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed++;
      return;
    }
    const suppressed = last?.suppressed;
    this.lastLog.set(kind, { at: now, suppressed: 0 });
    this.o.logger.warn({ remote_write: this.url, remote_name: this.name || undefined, ...fields, suppressed }, message);
  }
}

/** the time a record's values were computed, unix ms */
function stamp(record: SeriesRecord, nowMs: number): number {
  const at = record.computedAt ?? record.forecastAt;
  return at === undefined || !Number.isFinite(at) ? nowMs : Math.round(at * 1000);
}
