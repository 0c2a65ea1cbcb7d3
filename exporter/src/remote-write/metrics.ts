/**
 * Remote write's self-metrics, in the spirit of Prometheus' `prometheus_remote_storage_*`
 * (docs/metrics.md). Every series carries `remote_name` (the entry's `name`, empty when none)
 * and `url` without credentials, query or fragment. Counts are kept in prom-client counters;
 * the queue's length and the highest timestamp sent are read from the writer at collection time.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What one writer's metrics need to know of it at collection time. */
export interface WriterState {
  /** samples queued or in the request in flight */
  pending(): number;
  capacity: number;
  /** newest sample timestamp (unix seconds) a receiver has accepted, 0 before the first */
  highestSent(): number;
}

export interface RemoteWriteInstruments {
  /** samples put on the queue */
  samplesIn(n: number): void;
  sent(n: number): void;
  retried(n: number): void;
  /** samples the receiver refused for good (4xx other than a retried 429) */
  failed(n: number): void;
  /** samples dropped to stay within the queue's capacity, or left unsent at shutdown */
  dropped(n: number): void;
  /** one HTTP attempt's duration */
  sendDuration(seconds: number): void;
}

export interface RemoteWriteMetrics {
  /** the instruments of one `remote_write` entry */
  target(labels: { remote_name: string; url: string }, state: WriterState): RemoteWriteInstruments;
}

const LABELS = ['remote_name', 'url'] as const;

export function registerRemoteWriteMetrics(registry: Registry): RemoteWriteMetrics {
  const registers = [registry];
  const targets: Array<{ labels: { remote_name: string; url: string }; state: WriterState }> = [];
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: LABELS, registers });
  const samplesIn = counter('cloudpulse_remote_write_samples_in_total', 'Samples put on the remote-write queue.');
  const sent = counter('cloudpulse_remote_write_samples_sent_total', 'Samples the receiver accepted.');
  const retried = counter(
    'cloudpulse_remote_write_samples_retried_total',
    'Samples sent again after a 5xx, a 429 or a network error.',
  );
  const failed = counter(
    'cloudpulse_remote_write_samples_failed_total',
    'Samples the receiver refused for good (a 4xx other than a retried 429); they are not sent again.',
  );
  const dropped = counter(
    'cloudpulse_remote_write_samples_dropped_total',
    'Samples dropped, oldest first, because the queue was full, or left unsent at shutdown.',
  );
  const gauge = (name: string, help: string, value: (s: WriterState) => number) =>
    new Gauge({
      name,
      help,
      labelNames: LABELS,
      registers,
      collect() {
        for (const t of targets) this.set(t.labels, value(t.state));
      },
    });
  gauge('cloudpulse_remote_write_samples_pending', 'Samples queued or in the request in flight.', (s) => s.pending());
  gauge(
    'cloudpulse_remote_write_queue_capacity_samples',
    'The queue bound (queue_config.capacity).',
    (s) => s.capacity,
  );
  gauge(
    'cloudpulse_remote_write_highest_sent_timestamp_seconds',
    'Newest sample timestamp the receiver accepted (unix seconds).',
    (s) => s.highestSent(),
  );
  const duration = new Histogram({
    name: 'cloudpulse_remote_write_send_duration_seconds',
    help: 'Duration of each remote-write request, retries counted one by one.',
    labelNames: LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  return {
    target(labels, state) {
      targets.push({ labels, state });
      // present from the start, so rate() and alerts see a zero before the first event
      for (const c of [samplesIn, sent, retried, failed, dropped]) c.inc(labels, 0);
      return {
        samplesIn: (n) => samplesIn.inc(labels, n),
        sent: (n) => sent.inc(labels, n),
        retried: (n) => retried.inc(labels, n),
        failed: (n) => failed.inc(labels, n),
        dropped: (n) => dropped.inc(labels, n),
        sendDuration: (s) => duration.observe(labels, s),
      };
    },
  };
}
