/**
 * Remote write 1.0 into a real Prometheus (`--web.enable-remote-write-receiver`), from the real
 * CLI on its simulation:
 * - what Prometheus holds equals what /metrics serves: the same series, the same values;
 * - the receiver down for two minutes (the process stopped, a new one started on the same port
 *   and storage) loses nothing within the queue bound: every value made during the outage arrives;
 * - a 400 from Prometheus (samples too old for its head: an exporter whose clock runs 3 h behind)
 *   is counted as failed and never sent again, and --web.self-metrics-only serves only self-metrics;
 * - SIGTERM sends what is still queued.
 * No fake server here: the faults a real Prometheus cannot produce on demand (429 with
 * Retry-After, 503) are tested against a scripted one in exporter/src/remote-write/sender.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERIES_FAMILIES } from '../exporter/src/vocabulary.js';
import { samples, startExporter, type RunningExporter } from './helpers/exporter.js';
import { startPrometheus, stopAll, waitFor, type RunningPrometheus } from './helpers/index.js';

afterAll(stopAll);

const STEP_S = 5;
const OUTAGE_MS = 120_000;
const FAMILIES = new Set(SERIES_FAMILIES.map((f) => f.name));

interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

async function query(prometheus: RunningPrometheus, promql: string, time?: number): Promise<PromSample[]> {
  const params = new URLSearchParams({ query: promql, ...(time ? { time: String(time) } : {}) });
  const res = await fetch(`${prometheus.url}/api/v1/query?${params}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: PromSample[] } };
  if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
  return body.data.result;
}

/** A series' identity without the labels remote write adds. */
function identity(labels: Record<string, string>): string {
  const own = Object.entries(labels).filter(([k]) => k !== 'cluster' && k !== '__replica__');
  return JSON.stringify(own.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The per-series outputs on /metrics (what remote write sends), by identity. */
function exposed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const family of FAMILIES) {
    for (const s of samples(text, family)) out.set(identity({ __name__: family, ...s.labels }), s.value);
  }
  return out;
}

function selfMetric(text: string, name: string): number {
  const found = samples(text, name);
  if (found.length !== 1) throw new Error(`${name}: expected one sample, got ${found.length}`);
  return found[0].value;
}

let receiver: RunningPrometheus;
let exporter: RunningExporter;

beforeAll(async () => {
  receiver = await startPrometheus({ extraArgs: ['--web.enable-remote-write-receiver'] });
  exporter = await startExporter(`
source: {simulation: {instances: 2, seed: 11, history: 1h, anomalies: false}}
schedule: {interval: 1s}
remote_write:
  - url: ${receiver.url}/api/v1/write
    external_labels: {cluster: test, __replica__: a}
    queue_config: {capacity: 100000, max_samples_per_send: 500, batch_send_deadline: 100ms, max_backoff: 2s}
series:
  - {name: cpu, query: cpu, simulate: cpu, step: ${STEP_S}s, lookback: 10m, horizons: [5s, 30s], model: seasonal_naive, refit_interval: 1m, thresholds: [0.5]}
`);
});

describe('remote write into a real Prometheus', () => {
  it('holds the same series and values that /metrics serves', async () => {
    const ours = '{cluster="test",__replica__="a",__name__=~"cloudpulse_.+"}';
    const result = await waitFor(
      async () => {
        const before = exposed(await exporter.metrics());
        if (before.size === 0) return false;
        const got = await query(receiver, ours);
        const after = exposed(await exporter.metrics());
        // /metrics must not have changed in between (a new point arrives every 5 s)
        if (JSON.stringify([...before]) !== JSON.stringify([...after])) return false;
        const stored = new Map(got.map((s) => [identity(s.metric), Number(s.value![1])]));
        const same = stored.size === before.size && [...before].every(([k, v]) => stored.get(k) === v);
        return same && { before, got };
      },
      { timeout: 90_000, interval: 500, what: 'Prometheus to hold what /metrics serves' },
    );
    // a real comparison: every family of the config, both instances
    const names = new Set(result.got.map((s) => s.metric.__name__));
    expect([...names].sort()).toEqual(
      expect.arrayContaining(['cloudpulse_actual', 'cloudpulse_forecast', 'cloudpulse_forecast_upper']),
    );
    expect(new Set(result.got.map((s) => s.metric.instance)).size).toBe(2);
    expect(result.before.size).toBeGreaterThan(20);
    for (const s of result.got) expect(s.metric).toMatchObject({ cluster: 'test', __replica__: 'a' });
    const text = await exporter.metrics();
    const url = `${receiver.url}/api/v1/write`;
    const own = (name: string) => samples(text, name).find((s) => s.labels.url === url)!.value;
    expect(own('cloudpulse_remote_write_samples_failed_total')).toBe(0);
    expect(own('cloudpulse_remote_write_samples_dropped_total')).toBe(0);
    expect(own('cloudpulse_remote_write_samples_sent_total')).toBeGreaterThan(0);
    // stamped with the time they were computed: at most a few seconds before Prometheus answered
    const newest = own('cloudpulse_remote_write_highest_sent_timestamp_seconds');
    expect(Date.now() / 1000 - newest).toBeLessThan(30);
  });

  it(
    'loses nothing within the queue bound while the receiver is down for two minutes',
    async () => {
      const series = 'cloudpulse_last_sample_timestamp_seconds{cluster="test",instance="sim-0:9100"}';
      const lastBefore = Number((await query(receiver, series))[0].value![1]);
      await receiver.stop();
      const stoppedAt = Date.now();
      // while it is down the queue fills and the batch in flight is retried
      await sleep(OUTAGE_MS / 2);
      const during = await exporter.metrics();
      expect(selfMetric(during, 'cloudpulse_remote_write_samples_pending')).toBeGreaterThan(0);
      expect(selfMetric(during, 'cloudpulse_remote_write_samples_retried_total')).toBeGreaterThan(0);
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
      const lastDuring = samples(await exporter.metrics(), 'cloudpulse_last_sample_timestamp_seconds').find(
        (s) => s.labels.instance === 'sim-0:9100',
      )!.value;
      await receiver.start();
      await waitFor(async () => selfMetric(await exporter.metrics(), 'cloudpulse_remote_write_samples_pending') === 0, {
        timeout: 60_000,
        what: 'the queue to drain after the receiver came back',
      });
      const text = await exporter.metrics();
      expect(selfMetric(text, 'cloudpulse_remote_write_samples_dropped_total')).toBe(0);
      expect(selfMetric(text, 'cloudpulse_remote_write_samples_failed_total')).toBe(0);
      expect(selfMetric(text, 'cloudpulse_remote_write_samples_in_total')).toBe(
        selfMetric(text, 'cloudpulse_remote_write_samples_sent_total'),
      );
      // every step the simulation made during the outage reached Prometheus
      const window = Math.ceil((Date.now() - stoppedAt) / 1000) + 60;
      const [raw] = await query(receiver, `${series}[${window}s]`);
      const seen = new Set(raw.values!.map(([, v]) => Number(v)));
      const missing: number[] = [];
      for (let t = lastBefore; t <= lastDuring; t += STEP_S) if (!seen.has(t)) missing.push(t);
      expect(lastDuring - lastBefore).toBeGreaterThanOrEqual((OUTAGE_MS / 1000) * 0.9);
      expect(missing).toEqual([]);
    },
    OUTAGE_MS + 120_000,
  );

  it('counts a 400 from Prometheus as failed, never sends it again, and can serve only self-metrics', async () => {
    // an exporter whose clock runs 3 h behind: the receiver's head is at the present (the first
    // exporter writes to it), so Prometheus refuses these samples as out of bounds with a 400
    const behind = new Date(Date.now() - 3 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const url = `${receiver.url}/api/v1/write`;
    const late = await startExporter(
      `
source: {simulation: {instances: 1, seed: 12, history: 1h, anomalies: false, start: ${behind}}}
schedule: {interval: 1s}
remote_write:
  - url: ${url}
    name: late
    external_labels: {cluster: test, __replica__: late}
    queue_config: {batch_send_deadline: 100ms, min_backoff: 10ms}
series:
  - {name: cpu, query: cpu, simulate: cpu, step: ${STEP_S}s, lookback: 10m, horizons: [5s], model: seasonal_naive}
`,
      ['--web.self-metrics-only'],
    );
    const counted = await waitFor(
      async () => {
        const before = await late.metrics();
        const refused = await prometheusCounter(receiver, 'prometheus_http_requests_total', {
          code: '400',
          handler: '/api/v1/write',
        });
        const after = await late.metrics();
        const attempts = (t: string) => selfMetric(t, 'cloudpulse_remote_write_send_duration_seconds_count');
        const failed = selfMetric(after, 'cloudpulse_remote_write_samples_failed_total');
        // a settled moment with a few refusals behind it: every attempt Prometheus refused
        return failed >= 20 && attempts(before) === attempts(after) && refused === attempts(after) && after;
      },
      { timeout: 90_000, interval: 300, what: 'refused batches counted as failed' },
    );
    expect(selfMetric(counted, 'cloudpulse_remote_write_samples_retried_total')).toBe(0);
    expect(selfMetric(counted, 'cloudpulse_remote_write_samples_sent_total')).toBe(0);
    expect(selfMetric(counted, 'cloudpulse_remote_write_samples_dropped_total')).toBe(0);
    expect(selfMetric(counted, 'cloudpulse_remote_write_samples_failed_total')).toBe(
      selfMetric(counted, 'cloudpulse_remote_write_samples_in_total') -
        selfMetric(counted, 'cloudpulse_remote_write_samples_pending'),
    );
    expect(samples(counted, 'cloudpulse_remote_write_samples_failed_total')[0].labels).toEqual({
      remote_name: 'late',
      url,
    });
    // nothing of it was stored, and its /metrics carries no per-series outputs
    expect(await query(receiver, '{__replica__="late"}')).toEqual([]);
    for (const family of FAMILIES) expect(samples(counted, family)).toEqual([]);
    expect(late.process.logs()).toMatch(/remote write refused a batch; not retried/);
    await late.stop();
  });

  it('sends what is queued when stopped with SIGTERM', async () => {
    // batches wait up to 10 minutes: only the shutdown flush can send these
    const held = await startExporter(`
source: {simulation: {instances: 2, seed: 13, history: 1h, anomalies: false}}
schedule: {interval: 1s}
remote_write:
  - url: ${receiver.url}/api/v1/write
    external_labels: {cluster: test, __replica__: flush}
    queue_config: {batch_send_deadline: 10m, max_samples_per_send: 100000}
series:
  - {name: cpu, query: cpu, simulate: cpu, step: ${STEP_S}s, lookback: 10m, horizons: [5s], model: seasonal_naive}
`);
    const text = await waitFor(
      async () => {
        const t = await held.metrics();
        // the writer reads the store up to 100 ms after it changes, so a scrape can show the
        // forecasts before they are queued
        return (
          samples(t, 'cloudpulse_forecast').length === 2 &&
          selfMetric(t, 'cloudpulse_remote_write_samples_pending') > 0 &&
          t
        );
      },
      { timeout: 60_000, what: 'forecasts of the held exporter, queued' },
    );
    expect(await query(receiver, 'count({__replica__="flush"})')).toEqual([]);
    await held.stop();
    expect(held.process.logs()).toMatch(/"clean":true/);
    const stored = await query(receiver, '{__replica__="flush"}');
    expect(stored.length).toBeGreaterThanOrEqual(exposed(text).size);
    expect(new Set(stored.map((s) => s.metric.__name__))).toContain('cloudpulse_forecast');
  });
});

/** One counter of Prometheus' own /metrics, by labels. */
async function prometheusCounter(p: RunningPrometheus, name: string, labels: Record<string, string>) {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  const found = samples(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value ?? 0;
}
