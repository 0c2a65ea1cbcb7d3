import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import type { RemoteWriteConfig } from '../config/schema.js';
import { EntryRenderer } from '../store/exposition.js';
import type { SeriesRecord } from '../store/record.js';
import { SeriesStore } from '../store/series-store.js';
import { silentLogger } from '../util/logger.js';
import { decodeWriteRequestBody } from './encoder.js';
import { registerRemoteWriteMetrics } from './metrics.js';
import { sampleLines } from './samples.js';
import type { AttemptResult } from './sender.js';
import { RemoteWriter } from './writer.js';

const config = parseConfig(
  `
remote_write:
  - url: http://user:pw@receiver:9090/api/v1/write?x=1
    external_labels: { cluster: eu-1, __replica__: a }
    queue_config: { capacity: 40, max_samples_per_send: 10, batch_send_deadline: 10ms, min_backoff: 1ms, max_backoff: 2ms }
series:
  - { name: cpu, query: q, horizons: [5m, 1h], thresholds: [0.5], outputs: { families: [actual, eta] } }
`,
  't.yml',
);
const renderer = new EntryRenderer(config.series[0]);

/** a record of instance `instance` whose forecast rises to `top` (it crosses 0.5 when top > 0.5) */
function record(instance: string, value: number, top: number, at: Partial<SeriesRecord> = {}): SeriesRecord {
  const path = Float64Array.from({ length: 12 }, (_, i) => value + ((top - value) * (i + 1)) / 12);
  const state = {
    lastT: 1_800_000_000,
    lastValue: value,
    forecast: { origin: 1_800_000_000, step: 300, point: path, intervals: [] },
    accuracy: [],
  };
  const { exposition, offsets } = renderer.render(renderer.baseLabels({ instance }), state);
  const key = `cpu{instance="${instance}"}`;
  return { key, entry: 'cpu', labels: { instance }, step: 300, simulated: false, ...state, exposition, offsets, ...at };
}

interface Received {
  name: string;
  instance: string;
  labels: Record<string, string>;
  value: number;
  timestamp: number;
  stale: boolean;
}

let writer: RemoteWriter | undefined;
afterEach(async () => {
  await writer?.stop(100);
  writer = undefined;
});

function setup(answers: AttemptResult[] = [], entry: Partial<RemoteWriteConfig> = {}) {
  const store = new SeriesStore();
  const registry = new Registry();
  const received: Received[] = [];
  let attempts = 0;
  const clock = { now: 1_800_000_100 };
  writer = new RemoteWriter({
    config: { ...config.remote_write[0], ...entry },
    where: 'remote_write[0]',
    store,
    resendInterval: 60,
    now: () => clock.now,
    logger: silentLogger,
    metrics: registerRemoteWriteMetrics(registry),
    scanDelayMs: 1,
    // a real (short) wait, so a receiver that never recovers does not spin the event loop
    sleep: () => new Promise((resolve) => setTimeout(resolve, 1)),
    send: async (body) => {
      attempts++;
      const answer = answers.shift() ?? { ok: true, status: 204 };
      if (answer.ok) {
        for (const ts of decodeWriteRequestBody(body)) {
          const labels = Object.fromEntries(ts.labels.map((l) => [l.name, l.value]));
          for (const s of ts.samples) {
            received.push({
              name: labels.__name__,
              instance: labels.instance,
              labels,
              value: s.value,
              timestamp: s.timestamp,
              stale: s.stale === true,
            });
          }
        }
      }
      return answer;
    },
  });
  writer.start();
  const metric = async (name: string) => {
    const m = await registry.getSingleMetric(name)!.get();
    return m.values.find((v) => v.labels.url === 'http://receiver:9090/api/v1/write')?.value;
  };
  return { store, received, clock, metric, writer, attempts: () => attempts };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** the values /metrics would show for `r`: family and value per line */
const exposed = (r: SeriesRecord) =>
  sampleLines(r.exposition).map((line) => ({
    name: line.slice(0, line.indexOf('{')),
    value: Number(line.slice(line.lastIndexOf(' ') + 1)),
  }));

describe('RemoteWriter', () => {
  it('sends each new record’s exposition values stamped with computedAt, with the external labels', async () => {
    const { store, received, metric } = setup();
    const r = record('a', 0.3, 0.7, { computedAt: 1_800_000_050.25, forecastAt: 1_800_000_040 });
    store.put(r);
    await until('the samples', () => received.length === exposed(r).length);
    expect(received.map((s) => ({ name: s.name, value: s.value }))).toEqual(exposed(r));
    for (const s of received) {
      expect(s.timestamp).toBe(1_800_000_050_250);
      expect(s.labels).toMatchObject({ series: 'cpu', instance: 'a', cluster: 'eu-1', __replica__: 'a' });
      expect(Object.keys(s.labels)).toEqual([...Object.keys(s.labels)].sort());
    }
    expect(await metric('cloudpulse_remote_write_samples_sent_total')).toBe(received.length);
    expect(await metric('cloudpulse_remote_write_highest_sent_timestamp_seconds')).toBe(1_800_000_050.25);
    expect(await metric('cloudpulse_remote_write_queue_capacity_samples')).toBe(40);
  });

  it('falls back to forecastAt, then to its own clock', async () => {
    const { store, received } = setup();
    store.put(record('a', 0.1, 0.2, { forecastAt: 1_800_000_010 }));
    store.put(record('b', 0.1, 0.2));
    await until('both', () => received.length === 4);
    expect(received.filter((s) => s.instance === 'a').map((s) => s.timestamp)).toEqual([
      1_800_000_010_000, 1_800_000_010_000,
    ]);
    expect(received.filter((s) => s.instance === 'b').map((s) => s.timestamp)).toEqual([
      1_800_000_100_000, 1_800_000_100_000,
    ]);
  });

  it('re-sends an unchanged record once per resend interval, stamped with the clock, never going back in time', async () => {
    const { store, received, clock, writer } = setup();
    store.put(record('a', 0.1, 0.2, { computedAt: 1_800_000_100 }));
    await until('first send', () => received.length === 2);
    clock.now += 30;
    writer.scan();
    clock.now += 29.9;
    writer.scan();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(received.length).toBe(2); // not yet a minute
    clock.now += 0.1;
    writer.scan();
    await until('re-send', () => received.length === 4);
    expect(received.slice(2).map((s) => s.timestamp)).toEqual([1_800_000_160_000, 1_800_000_160_000]);
    // a record computed before that re-send but arriving after it is stamped just past it
    store.put(record('a', 0.15, 0.2, { computedAt: 1_800_000_159 }));
    await until('change', () => received.length === 6);
    expect(received.slice(4).map((s) => [s.value, s.timestamp])).toEqual([
      [0.15, 1_800_000_160_001],
      [1_800_000_000, 1_800_000_160_001],
    ]);
  });

  it('marks series stale when a record stops exporting a line and when it leaves the store', async () => {
    const { store, received, clock } = setup();
    const crossing = record('a', 0.3, 0.9, { computedAt: 1_800_000_100 });
    const eta = exposed(crossing).filter((s) => s.name === 'cloudpulse_threshold_eta_seconds');
    expect(eta.length).toBe(1);
    store.put(crossing);
    await until('first', () => received.length === 3);
    store.put(record('a', 0.3, 0.4, { computedAt: 1_800_000_110 }));
    await until('change', () => received.length === 6);
    const marker = received.slice(3).filter((s) => s.stale);
    expect(marker.map((s) => [s.name, s.timestamp])).toEqual([['cloudpulse_threshold_eta_seconds', 1_800_000_110_000]]);
    clock.now = 1_800_000_200;
    store.delete('cpu{instance="a"}');
    await until('deletion', () => received.length === 8);
    expect(received.slice(6).map((s) => [s.name, s.stale, s.timestamp])).toEqual([
      ['cloudpulse_actual', true, 1_800_000_200_000],
      ['cloudpulse_last_sample_timestamp_seconds', true, 1_800_000_200_000],
    ]);
  });

  it('counts a refused batch as failed and does not send it again', async () => {
    const refused: AttemptResult = { ok: false, retryable: false, status: 400, message: 'HTTP 400: out of bounds' };
    const { store, metric, attempts, received } = setup([refused]);
    store.put(record('a', 0.1, 0.2));
    await until('failure', async () => (await metric('cloudpulse_remote_write_samples_failed_total')) === 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(attempts()).toBe(1);
    expect(received).toEqual([]);
    expect(await metric('cloudpulse_remote_write_samples_retried_total')).toBe(0);
    expect(await metric('cloudpulse_remote_write_samples_pending')).toBe(0);
  });

  it('retries through an outage, drops the oldest beyond capacity, and accounts for every sample', async () => {
    const down: AttemptResult = { ok: false, retryable: true, status: 503, message: 'HTTP 503' };
    const { store, metric, received } = setup(Array.from({ length: 50 }, () => ({ ...down })));
    for (let i = 0; i < 40; i++) store.put(record(`i${i}`, 0.1, 0.2)); // 80 samples, capacity 40
    await until(
      'every sample sent or dropped',
      async () =>
        (await metric('cloudpulse_remote_write_samples_sent_total'))! +
          (await metric('cloudpulse_remote_write_samples_dropped_total'))! ===
        80,
    );
    const [inTotal, sent, dropped, failed, retried] = await Promise.all(
      [
        'cloudpulse_remote_write_samples_in_total',
        'cloudpulse_remote_write_samples_sent_total',
        'cloudpulse_remote_write_samples_dropped_total',
        'cloudpulse_remote_write_samples_failed_total',
        'cloudpulse_remote_write_samples_retried_total',
      ].map(metric),
    );
    expect(inTotal).toBe(80);
    expect(failed).toBe(0);
    expect(sent! + dropped!).toBe(80);
    // all 40 records arrive in one read of the store: the oldest 40 samples go at once
    expect(dropped).toBe(40);
    expect(await metric('cloudpulse_remote_write_samples_pending')).toBe(0);
    expect(retried).toBe(50 * 10);
    expect(sent).toBe(received.length);
    // the newest series made it
    expect(received.some((s) => s.instance === 'i39')).toBe(true);
  });

  it('flushes what is queued on stop, and drops (and counts) what the deadline does not allow', async () => {
    const {
      store,
      received,
      writer: w,
    } = setup([], { queue_config: { ...config.remote_write[0].queue_config, batch_send_deadline: 60 } });
    store.put(record('a', 0.1, 0.2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual([]); // still waiting for its batch deadline
    await w.stop(1000);
    expect(received.length).toBe(2);

    const never = setup(
      Array.from({ length: 10_000 }, () => ({ ok: false, retryable: true, message: 'down' }) as AttemptResult),
    );
    never.store.put(record('a', 0.1, 0.2));
    await until('in flight', async () => (await never.metric('cloudpulse_remote_write_samples_retried_total'))! > 0);
    await never.writer.stop(20);
    expect(await never.metric('cloudpulse_remote_write_samples_dropped_total')).toBe(2);
    expect(await never.metric('cloudpulse_remote_write_samples_pending')).toBe(0);
  });
});
