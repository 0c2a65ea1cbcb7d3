/**
 * Readers across a fleet: three members of a real fleet on loopback, each with its KEDA external
 * scaler (gRPC) and HTTP API. A trigger asked of any member gets the answer one process gives,
 * whether it names one series (asked of its owner only) or sums over all of them (asked of
 * every member); the API serves any series from any member; and when a member is down, what it
 * alone owned is reported unavailable instead of silently left out.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { failure, scalerClient, type ScalerClient } from '../exporter/test/fixtures/scaler-client.js';
import { hashmod } from '../exporter/src/cluster/hashmod.js';
import { startExporter, type RunningExporter } from './helpers/exporter.js';
import { freePort, freePortRun, stopAll, waitFor } from './helpers/index.js';

afterAll(stopAll);

const INSTANCES = 30;
const config = `
source: {simulation: {instances: ${INSTANCES}, seed: 9, start: '2026-11-02T00:01:00Z', anomalies: false}}
schedule: {interval: 2s}
series:
  - {name: requests, query: req, simulate: network, step: 5m, lookback: 2d, horizons: [5m, 30m], model: ets}
`;
const trigger = (metadata: Record<string, string>) => ({
  name: 'web',
  namespace: 'default',
  scalerMetadata: { series: 'requests', target: '1000', leadTime: '10m', level: '0.95', ...metadata },
});
const value = async (c: ScalerClient, metadata: Record<string, string>) => {
  const ref = trigger(metadata);
  const spec = await c.getMetricSpec(ref);
  const res = await c.getMetrics({ scaledObjectRef: ref, metricName: spec.metricSpecs[0].metricName });
  return res.metricValues[0].metricValueFloat!;
};

interface Member {
  exporter: RunningExporter;
  client: ScalerClient;
}

async function start(args: string[], port?: number): Promise<Member> {
  const grpc = await freePort();
  const exporter = await startExporter(
    config,
    [`--grpc.listen-address=127.0.0.1:${grpc}`, ...args],
    undefined,
    {},
    port,
  );
  const client = scalerClient(`127.0.0.1:${grpc}`);
  await waitFor(
    async () => {
      const s = (await (await fetch(`${exporter.url}/api/v1/status`)).json()) as {
        series: number;
        forecasting: number;
      };
      return s.series > 0 && s.forecasting === s.series;
    },
    { timeout: 60_000, what: `forecasts at ${exporter.url}` },
  );
  return { exporter, client };
}

describe('the scaler and the API across three members', () => {
  it('answer for any series from any member, and say so when an owner is down', async () => {
    const base = await freePortRun(3);
    const peer = `--cluster.peer-url=http://127.0.0.1:${base / 10}{member}`;
    const fleet = await Promise.all(
      [0, 1, 2].map((m) => start(['--cluster.members=3', `--cluster.member=${m}`, peer], base + m)),
    );
    const single = await start([]);

    const owner = (i: number) => hashmod([`sim-${i}:9100`], 3);
    const picked = [0, 1, 2].map((m) => Array.from({ length: INSTANCES }, (_, i) => i).find((i) => owner(i) === m)!);
    for (const i of picked) {
      const one = { labels: `instance="sim-${i}:9100"` };
      const expected = await value(single.client, one);
      for (const m of fleet) expect(await value(m.client, one), `sim-${i} at every member`).toBeCloseTo(expected, 9);
    }
    const all = { aggregate: 'sum' };
    const total = await value(single.client, all);
    for (const m of fleet) expect(await value(m.client, all)).toBeCloseTo(total, 6);

    // the API: a series member 2 owns, asked of member 0
    const id = `requests{instance="sim-${picked[2]}:9100",job="node"}`;
    const res = await fetch(`${fleet[0].exporter.url}/api/v1/series/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; forecast: { point: number[] } | null };
    expect(body.id).toBe(id);
    expect(body.forecast?.point.length).toBeGreaterThan(0);
    const list = (await (await fetch(`${fleet[0].exporter.url}/api/v1/series`)).json()) as { series: unknown[] };
    expect(list.series.length).toBeLessThan(INSTANCES);

    // member 2 down: its slice has no other owner at replication 1
    fleet[2].client.close();
    await fleet[2].exporter.stop();
    const err = await failure(value(fleet[0].client, all));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toMatch(/no member owning slice 2 of 3 answered/);
    const gone = await fetch(`${fleet[0].exporter.url}/api/v1/series/${encodeURIComponent(id)}`);
    expect(gone.status).toBe(503);
    expect(((await gone.json()) as { error: string }).error).toBe('CLOUDPULSE_OWNER_UNREACHABLE');
    // a series the living members own still scales
    const first = { labels: `instance="sim-${picked[1]}:9100"` };
    expect(await value(fleet[0].client, first)).toBeCloseTo(await value(single.client, first), 9);
    for (const m of [...fleet.slice(0, 2), single]) m.client.close();
  });
});
