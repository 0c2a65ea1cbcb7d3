/**
 * The external scaler as KEDA uses it: a pipeline (inline workers, settable clock) fills the store,
 * the scaler serves it on a real loopback port, and a client built from the same .proto asks
 * GetMetricSpec once and then GetMetrics and IsActive on every sync.
 */
import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../../test/helpers/processes.js';
import { failure, hpaMetricName, scalerClient, type ScalerClient } from '../../test/fixtures/scaler-client.js';
import { T0, testPipeline } from '../../test/fixtures/test-pipeline.js';
import { pipelineScalerView } from '../cli/run.js';
import { parseConfig } from '../config/load.js';
import { SimulationSource } from '../sources/simulation.js';
import { SourceError, type RangeQuery, type Source } from '../sources/types.js';
import type { SeriesRecord } from '../store/record.js';
import { silentLogger } from '../util/logger.js';
import type { ScaledObjectRef } from './contract.js';
import { DEFAULT_LEVEL } from './policy.js';
import { SCALING_DEFAULTS } from '../scaling/defaults.js';
import { stepDownForHalfLife } from '../scaling/planner.js';
import { registerScalerMetrics } from './metrics.js';
import { ScalerServer, type ScalerServerOptions } from './server.js';

const config = parseConfig(
  `
source:
  simulation: {instances: 2, seed: 7, anomalies: false}
schedule: {interval: 1m}
series:
  - name: requests
    query: requests_query
    simulate: network
    model: seasonal_naive
    step: 1m
    lookback: 1d
    horizons: [5m, 15m]
    levels: [0.8, 0.95]
    scale: {pod_startup: 60s, headroom: 0.1}
`,
  'scaler-test.yml',
);

/** the simulation behind a switch, standing in for a Prometheus that can go down */
class Switchable implements Source {
  readonly kind = 'prometheus';
  readonly simulated = false;
  down = false;
  constructor(private readonly inner: Source) {}
  queryRange(q: RangeQuery) {
    if (this.down) throw new SourceError('prometheus', 'connect ECONNREFUSED', true, { reason: 'network' });
    return this.inner.queryRange(q);
  }
}

const source = new Switchable(new SimulationSource({ config: config.source.simulation, startTime: T0 }));
const harness = testPipeline(config, { source });
const registry = new Registry();
const servers: ScalerServer[] = [];
let client: ScalerClient;

async function serve(extra: Partial<ScalerServerOptions> = {}): Promise<number> {
  const server = new ScalerServer({
    view: pipelineScalerView(harness.pipeline, config),
    instruments: registerScalerMetrics(extra.tls ? new Registry() : registry),
    logger: silentLogger,
    streamPollSeconds: 0.05,
    ...extra,
  });
  servers.push(server);
  return server.listen('127.0.0.1', 0);
}

const ref = (scalerMetadata: Record<string, string>): ScaledObjectRef => ({
  name: 'checkout',
  namespace: 'shop',
  scalerMetadata: { scalerAddress: 'cloudpulse.monitoring:9848', ...scalerMetadata },
});
const record = (instance: number) =>
  [...harness.pipeline.store.records('requests')].find((r) => r.labels.instance === `sim-${instance}:9100`)!;

/**
 * What the scale metric must be, written out: max(last value, upper bound of the default band
 * (DEFAULT_LEVEL, the replay's choice) over the lead steps) * (1 + headroom). The default lead time, 60 s start-up + 15 s HPA sync + one 60 s step, is
 * three steps.
 */
function expected(r: SeriesRecord, leadSteps = 3, headroom = 0.1): number {
  const upper = r.forecast!.intervals.find((iv) => iv.level === DEFAULT_LEVEL)!.upper;
  return Math.max(r.lastValue, ...upper.subarray(0, leadSteps)) * (1 + headroom);
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return (value?.value as number | undefined) ?? 0;
}

beforeAll(async () => {
  await harness.cycle();
  client = scalerClient(`127.0.0.1:${await serve()}`);
});

afterAll(async () => {
  client?.close();
  await Promise.all(servers.map((s) => s.close(100)));
  await harness.pipeline.stop();
  await stopAll();
});

describe('KEDA sync loop', () => {
  // the formula below has no step limits: turn off the default scale-down half-life
  const one = ref({
    series: 'requests',
    labels: 'instance="sim-0:9100"',
    target: '2.5',
    headroom: '0.1',
    scaleDownHalfLife: '0',
  });

  it('gives a stable lower-case metric spec with the float and integer targets', async () => {
    const spec = await client.getMetricSpec(one);
    expect(spec.metricSpecs).toHaveLength(1);
    const [s] = spec.metricSpecs;
    expect(s.metricName).toMatch(/^cloudpulse-requests-[0-9a-f]{8}$/);
    expect(s.targetSizeFloat).toBe(2.5);
    expect(s.targetSize).toBe(2);
    // the same metadata in another order, from another ScaledObject: the same name
    const again = await client.getMetricSpec({
      ...one,
      name: 'other',
      scalerMetadata: { target: '3', labels: 'instance=sim-0:9100', series: 'requests' },
    });
    expect(again.metricSpecs[0].metricName).toBe(s.metricName);
    const all = await client.getMetricSpec(ref({ series: 'requests', target: '2.5' }));
    expect(all.metricSpecs[0].metricName).not.toBe(s.metricName);
  });

  it('answers each sync with the planner scale metric, filling both value fields, and follows new forecasts', async () => {
    const name = hpaMetricName(0, (await client.getMetricSpec(one)).metricSpecs[0].metricName);
    for (let sync = 0; sync < 3; sync++) {
      const r = record(0);
      const got = await client.sync(one, name);
      expect(got.value).toBeCloseTo(expected(r), 9);
      expect(got.value).toBeGreaterThanOrEqual(r.lastValue * 1.1);
      expect(got.int).toBe(Math.ceil(got.value));
      expect(got.active).toBe(true);
      harness.advance(60);
      await harness.cycle();
    }
    // the HPA may ask for the name lower-cased; an `s1-` trigger index is stripped the same way
    const upper = await client.getMetrics({ scaledObjectRef: one, metricName: name.slice(3).toUpperCase() });
    expect(upper.metricValues[0].metricValueFloat).toBeCloseTo(expected(record(0)), 9);
  });

  it('aggregates label sets: sum by default, max and avg on request', async () => {
    const each = [expected(record(0), 3, 0), expected(record(1), 3, 0)];
    const value = async (aggregate?: string) => {
      const r = ref({ series: 'requests', target: '10', scaleDownHalfLife: '0', ...(aggregate ? { aggregate } : {}) });
      const spec = await client.getMetricSpec(r);
      return (await client.sync(r, hpaMetricName(0, spec.metricSpecs[0].metricName))).value;
    };
    expect(await value()).toBeCloseTo(each[0] + each[1], 9);
    expect(await value('max')).toBeCloseTo(Math.max(...each), 9);
    expect(await value('avg')).toBeCloseTo((each[0] + each[1]) / 2, 9);
    const regex = ref({
      series: 'requests',
      labels: 'instance=~"sim-1.*",job="node"',
      target: '10',
      scaleDownHalfLife: '0',
    });
    const spec = await client.getMetricSpec(regex);
    expect((await client.sync(regex, hpaMetricName(0, spec.metricSpecs[0].metricName))).value).toBeCloseTo(each[1], 9);
  });

  it('scales on the same number as cloudpulse_scale_metric for the same settings', async () => {
    const text = harness.pipeline.store.exposition().toString();
    const line = text.split('\n').find((l) => l.startsWith('cloudpulse_scale_metric{') && l.includes('sim-0:9100'))!;
    expect(line).toMatch(/^cloudpulse_scale_metric\{series="requests",instance="sim-0:9100",job="node"\} /);
    const exported = Number(line.split(' ').at(-1));
    const scaler = await client.getMetrics({
      scaledObjectRef: ref({
        series: 'requests',
        labels: 'instance=sim-0:9100',
        target: '1',
        podStartup: '60s',
        headroom: '0.1',
        scaleDownHalfLife: '0',
      }),
      metricName: '',
    });
    expect(scaler.metricValues[0].metricValueFloat).toBe(exported);
    expect(exported).toBeCloseTo(expected(record(0)), 9);
  });

  it('applies step limits once per series step, however often KEDA asks', async () => {
    // no change allowed at all: the value freezes at the first one
    const frozen = ref({
      series: 'requests',
      labels: 'instance=sim-1:9100',
      target: '1',
      maxStepUp: '1',
      maxStepDown: '0',
    });
    const name = hpaMetricName(0, (await client.getMetricSpec(frozen)).metricSpecs[0].metricName);
    const first = await client.sync(frozen, name);
    expect(first.value).toBeCloseTo(expected(record(1), 3, 0), 9);
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) {
      harness.advance(60);
      await harness.cycle();
      seen.add(expected(record(1), 3, 0));
      expect((await client.sync(frozen, name)).value).toBe(first.value);
      expect((await client.sync(frozen, name)).value).toBe(first.value);
    }
    // the unclamped metric did move meanwhile, so the limits did the work
    expect([...seen].some((v) => Math.abs(v - first.value) > 1e-9)).toBe(true);
  });
});

describe('the default scale-down half-life', () => {
  it('lets the metric fall at most as fast as halving every 30 minutes, as cloudpulse plan does', async () => {
    const trigger = ref({ series: 'requests', labels: 'instance=sim-0:9100', target: '1' });
    const name = hpaMetricName(0, (await client.getMetricSpec(trigger)).metricSpecs[0].metricName);
    const floor = 1 - stepDownForHalfLife(SCALING_DEFAULTS.scaleDownHalfLife, 60);
    let previous = (await client.sync(trigger, name)).value;
    for (let i = 0; i < 5; i++) {
      harness.advance(60);
      await harness.cycle();
      const value = (await client.sync(trigger, name)).value;
      expect(value).toBeGreaterThanOrEqual(previous * floor - 1e-9);
      previous = value;
    }
  });
});

describe('bad metadata', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['series is required', { target: '1' }, 'scalerMetadata.series: required'],
    [
      'unknown series entry',
      { series: 'nope', target: '1' },
      'scalerMetadata.series: no series entry named "nope" (entries: requests)',
    ],
    ['target is required', { series: 'requests' }, 'scalerMetadata.target: required'],
    ['unknown key', { series: 'requests', target: '1', leadtime: '5m' }, 'scalerMetadata.leadtime: unknown key'],
    [
      'level out of range',
      { series: 'requests', target: '1', level: '1.5' },
      'scalerMetadata.level: expected a band level',
    ],
    [
      'level without a band',
      { series: 'requests', target: '1', level: '0.9' },
      'scalerMetadata.level: the forecast has no band at level 0.9',
    ],
    [
      'lead time past the forecast',
      { series: 'requests', target: '1', leadTime: '2h' },
      'scalerMetadata.leadTime: 2h reaches past the forecast',
    ],
    [
      'bad duration',
      { series: 'requests', target: '1', podStartup: 'soon' },
      'scalerMetadata.podStartup: expected a duration',
    ],
    [
      'both lead time and start-up',
      { series: 'requests', target: '1', leadTime: '2m', podStartup: '1m' },
      'scalerMetadata.podStartup: give either',
    ],
    [
      'bad matcher',
      { series: 'requests', target: '1', labels: 'instance~"x"' },
      'scalerMetadata.labels: expected label matchers',
    ],
    [
      'bad regex',
      { series: 'requests', target: '1', labels: 'instance=~"("' },
      'scalerMetadata.labels: expected label matchers',
    ],
    [
      'bad aggregation',
      { series: 'requests', target: '1', aggregate: 'median' },
      'scalerMetadata.aggregate: expected one of sum, max, avg',
    ],
    [
      'negative target',
      { series: 'requests', target: '-1' },
      'scalerMetadata.target: expected a per-replica target > 0',
    ],
    [
      'bad step limit',
      { series: 'requests', target: '1', maxStepUp: '0.5' },
      'scalerMetadata.maxStepUp: expected a factor >= 1',
    ],
    [
      'min above max',
      { series: 'requests', target: '1', min: '5', max: '2' },
      'scalerMetadata.max: expected max >= min',
    ],
  ];

  it.each(cases)('%s: INVALID_ARGUMENT naming the key, from every method', async (_what, metadata, message) => {
    const r = ref(metadata);
    for (const call of [
      () => client.getMetricSpec(r),
      () => client.getMetrics({ scaledObjectRef: r, metricName: '' }),
      () => client.isActive(r),
    ]) {
      const f = await failure(call());
      expect(f.code, f.details).toBe(status.INVALID_ARGUMENT);
      expect(f.details).toContain(message);
    }
  });

  it('refuses a metric name the metadata does not serve, and still serves good calls after all of that', async () => {
    const f = await failure(
      client.getMetrics({
        scaledObjectRef: ref({ series: 'requests', target: '1' }),
        metricName: 'cloudpulse-other-00000000',
      }),
    );
    expect(f.code).toBe(status.INVALID_ARGUMENT);
    expect(f.details).toContain('scalerMetadata.metricName');
    expect((await client.isActive(ref({ series: 'requests', target: '1' }))).result).toBe(true);
    expect(
      await counter('cloudpulse_scaler_requests_total', { method: 'GetMetrics', code: 'INVALID_ARGUMENT' }),
    ).toBeGreaterThan(10);
  });

  it("accepts KEDA's own keys and <key>FromEnv as the key", async () => {
    const r = ref({ series: 'requests', targetFromEnv: '4', enableTLS: 'false', unsafeSsl: 'false' });
    expect((await client.getMetricSpec(r)).metricSpecs[0].targetSizeFloat).toBe(4);
  });

  it('bounds the request size', async () => {
    const f = await failure(
      client.isActive(ref({ series: 'requests', target: '1', labels: `instance="${'x'.repeat(70_000)}"` })),
    );
    expect(f.code).toBe(status.RESOURCE_EXHAUSTED);
  });
});

describe('untrustworthy data', () => {
  const r = ref({ series: 'requests', target: '1' });

  it('source down: IsActive false and GetMetrics UNAVAILABLE, counted; back when it returns', async () => {
    source.down = true;
    harness.advance(60);
    await harness.cycle();
    expect((await client.isActive(r)).result).toBe(false);
    const f = await failure(client.getMetrics({ scaledObjectRef: r, metricName: '' }));
    expect(f.code).toBe(status.UNAVAILABLE);
    expect(f.details).toContain('the source is down');
    expect(await counter('cloudpulse_scaler_inactive_total', { series: 'requests', reason: 'source_down' })).toBe(2);
    source.down = false;
    harness.advance(60);
    await harness.cycle();
    expect((await client.isActive(r)).result).toBe(true);
  });

  it('stale forecast (no cycle for over two intervals): inactive', async () => {
    harness.advance(121);
    expect((await client.isActive(r)).result).toBe(false);
    const f = await failure(client.getMetrics({ scaledObjectRef: r, metricName: '' }));
    expect(f.details).toMatch(/the newest forecast is 2m1s old \(limit 2m\)/);
    expect(await counter('cloudpulse_scaler_inactive_total', { series: 'requests', reason: 'stale' })).toBe(2);
    await harness.cycle();
    expect((await client.isActive(r)).result).toBe(true);
  });

  it('no matching label set: inactive with its own reason', async () => {
    expect((await client.isActive(ref({ series: 'requests', target: '1', labels: 'instance=gone' }))).result).toBe(
      false,
    );
    expect(await counter('cloudpulse_scaler_inactive_total', { series: 'requests', reason: 'no_series' })).toBe(1);
  });
});

describe('StreamIsActive', () => {
  it('pushes the first answer and every change, and forgets a stream the client cancels', async () => {
    const stream = client.streamIsActive(ref({ series: 'requests', target: '1' }));
    const messages: boolean[] = [];
    const next = () =>
      new Promise<boolean>((resolve) => stream.once('data', (m: { result: boolean }) => resolve(m.result)));
    stream.on('data', (m: { result: boolean }) => messages.push(m.result));
    stream.on('error', () => {});
    expect(await next()).toBe(true);
    source.down = true;
    harness.advance(60);
    await harness.cycle();
    expect(await next()).toBe(false);
    source.down = false;
    harness.advance(60);
    await harness.cycle();
    expect(await next()).toBe(true);
    expect(messages).toEqual([true, false, true]);
    expect(await counter('cloudpulse_scaler_streams', {})).toBe(1);
    stream.cancel();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await counter('cloudpulse_scaler_streams', {})).toBe(0);
    expect(await counter('cloudpulse_scaler_requests_total', { method: 'StreamIsActive', code: 'CANCELLED' })).toBe(1);
  });

  it('ends a stream with INVALID_ARGUMENT for bad metadata', async () => {
    const stream = client.streamIsActive(ref({ series: 'requests' }));
    const err = await new Promise<{ code: number; details: string }>((resolve) => stream.on('error', resolve));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain('scalerMetadata.target');
  });
});
