/**
 * A fleet of real CloudPulse processes on loopback, against a real Prometheus:
 * - ownership is exactly what Prometheus' own `hashmod` relabelling computes;
 * - three members together give what one process gives (same series, same values), each owning
 *   its label sets once at replication 1 and twice at 2, and each receiving about a third of
 *   the bytes one process receives;
 * - with replication 2, the series of a killed member keep fresh forecasts from its peer;
 * - rescaling from two members to three moves series without errors, and stored models serve
 *   only where they were saved.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Membership } from '../exporter/src/cluster/membership.js';
import { SERIES_FAMILIES } from '../exporter/src/vocabulary.js';
import { backfill } from './helpers/backfill.js';
import { samples, startExporter, type RunningExporter } from './helpers/exporter.js';
import { startPrometheus, stopAll, tempDir, waitFor } from './helpers/index.js';

afterAll(stopAll);

/** the per-series outputs; when a model was fitted is the clock's, not the input's */
const PER_SERIES = new Set(
  SERIES_FAMILIES.map((f) => f.name).filter((n) => n !== 'cloudpulse_model_last_fit_timestamp_seconds'),
);
const INSTANCES = 90;

/** the per-series lines of an exposition: `name{labels}` -> value */
function outputs(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{.*\}) (\S+)$/.exec(line);
    if (m && PER_SERIES.has(m[1])) out.set(m[1] + m[2], Number(m[3]));
  }
  return out;
}

const sum = (text: string, name: string, where: (l: Record<string, string>) => boolean = () => true) =>
  samples(text, name)
    .filter((s) => where(s.labels))
    .reduce((a, s) => a + s.value, 0);

interface Status {
  series: number;
  forecasting: number;
  waitingFirstFit: number;
  refitsDue: number;
  warmingUp: number;
}
const status = async (e: RunningExporter) => (await (await fetch(`${e.url}/api/v1/status`)).json()) as Status;

/** waits until the exporter forecasts all it tracks, has no work left and /metrics shows it */
async function settled(e: RunningExporter, expected?: number): Promise<string> {
  let text = '';
  await waitFor(
    async () => {
      const s = await status(e);
      if (s.series === 0 || s.forecasting < s.series || s.waitingFirstFit + s.refitsDue + s.warmingUp > 0) return false;
      if (expected !== undefined && s.series !== expected) return false;
      text = await e.metrics();
      return samples(text, 'cloudpulse_forecast').length >= s.forecasting;
    },
    { timeout: 120_000, interval: 500, what: `exporter at ${e.url} settled` },
  );
  // one more publication interval, so /metrics holds the last change too
  await sleep(1500);
  return e.metrics();
}

describe('hashmod ownership', () => {
  it('is what a real Prometheus relabel rule computes, for one label and for two', async () => {
    const values = [...Array.from({ length: 240 }, (_, i) => `node-${i}:9100`), '10.1.2.3:9100', 'höst-ä', 'a;b'];
    const prometheus = await startPrometheus({
      scrapeConfigs: [
        {
          job_name: 'parity',
          scrape_interval: '1h',
          static_configs: values.map((v, i) => ({ targets: ['127.0.0.1:9'], labels: { inst: v, grp: `g${i % 7}` } })),
          relabel_configs: [
            { source_labels: ['inst'], modulus: 5, target_label: 'h5', action: 'hashmod' },
            { source_labels: ['grp', 'inst'], modulus: 3, target_label: 'h3', action: 'hashmod' },
          ],
        },
      ],
    });
    type Target = { labels: Record<string, string> };
    let targets: Target[] = [];
    await waitFor(
      async () => {
        const body = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
          data: { activeTargets: Target[] };
        };
        targets = body.data.activeTargets;
        return targets.length === values.length;
      },
      { timeout: 30_000, what: 'every target discovered' },
    );
    const five = Membership.resolve({ members: 5, member: 0, replication: 1, shard_by: ['inst'] }, '');
    const three = Membership.resolve({ members: 3, member: 0, replication: 1, shard_by: ['grp', 'inst'] }, '');
    for (const t of targets) {
      expect(five.slice('any', t.labels), t.labels.inst).toBe(Number(t.labels.h5));
      expect(three.slice('any', t.labels), t.labels.inst).toBe(Number(t.labels.h3));
    }
  });
});

describe('a fleet against a real Prometheus', () => {
  it('gives, at three members, the series and values of one process, for a third of the bytes each', async () => {
    const step = 300;
    const end = Math.floor(Date.now() / 1000 / step) * step - step;
    const prometheus = await startPrometheus({
      beforeStart: (dir) =>
        backfill(dir, [
          { metric: 'bench_cpu', kind: 'cpu', instances: INSTANCES, step, start: end - 86400, end },
          { metric: 'bench_mem', kind: 'memory', instances: INSTANCES, step, start: end - 86400, end },
        ]),
    });
    // a lookback longer than the data: every process sees all of it, whenever it starts
    const config = (cluster: string) => `
source: {prometheus: {url: ${prometheus.url}}}
schedule: {interval: 5s}
cluster: ${cluster}
series:
  - {name: cpu, query: 'avg by (instance, job) (bench_cpu)', step: 5m, lookback: 2d, horizons: [5m, 1h], refit_interval: 1d}
  - {name: mem, query: bench_mem, step: 5m, lookback: 2d, model: ets, horizons: [15m], refit_interval: 1d}
  - {name: total, query: 'sum by (job) (bench_cpu)', step: 5m, lookback: 2d, model: seasonal_naive, horizons: [1h], refit_interval: 1d}
`;
    const single = await startExporter(config('{members: 1}'));
    const fleet = await Promise.all(
      [0, 1, 2].map((m) => startExporter(config(`{members: 3, replication: 1}`), [`--cluster.member=${m}`])),
    );
    const one = await settled(single, 2 * INSTANCES + 1);
    const parts = await Promise.all(fleet.map((e) => settled(e)));

    const whole = outputs(one);
    const union = new Map<string, number>();
    for (const text of parts) {
      for (const [k, v] of outputs(text)) {
        expect(union.has(k), `${k} exposed twice at replication 1`).toBe(false);
        union.set(k, v);
      }
    }
    expect([...union.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [k, v] of whole) {
      const w = union.get(k)!;
      if (Number.isNaN(v)) expect(w, k).toBeNaN();
      else expect(Math.abs(w - v), k).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
    }

    const bytes = (text: string, kind: string) =>
      sum(text, 'cloudpulse_source_response_bytes_total', (l) => l.kind === kind);
    const wholeBytes = bytes(one, 'query');
    parts.forEach((text, m) => {
      expect(samples(text, 'cloudpulse_cluster_member_info')[0].labels).toEqual({
        member: String(m),
        members: '3',
        replication: '1',
      });
      const owned = sum(text, 'cloudpulse_cluster_owned_series');
      expect(owned).toBe(sum(text, 'cloudpulse_series_tracked'));
      expect(bytes(text, 'query'), `member ${m} query bytes against ${wholeBytes}`).toBeLessThanOrEqual(
        (1.5 / 3) * wholeBytes,
      );
      expect(bytes(text, 'listing')).toBeGreaterThan(0);
      // the narrowable entries are narrowed; the sum over all instances cannot be
      const narrowed = Object.fromEntries(
        samples(text, 'cloudpulse_cluster_query_narrowed').map((s) => [s.labels.series, s.value]),
      );
      expect(narrowed).toEqual({ cpu: 1, mem: 1, total: 0 });
    });
    expect(bytes(one, 'listing')).toBe(0);
    await Promise.all([single, ...fleet].map((e) => e.stop()));
  });
});

describe('replicas and rescaling on the simulation', () => {
  const config = (instances: number) => `
source: {simulation: {instances: ${instances}, seed: 3, speed: 60, start: '2026-11-02T00:00:00Z'}}
schedule: {interval: 1s}
series:
  - {name: cpu, query: cpu, simulate: cpu, step: 1m, lookback: 6h, horizons: [5m, 30m], refit_interval: 1h}
`;
  const keysOf = async (e: RunningExporter) => {
    const body = (await (await fetch(`${e.url}/api/v1/series`)).json()) as {
      series: Array<{ id: string; lastSample: number | null }>;
    };
    return new Map(body.series.map((s) => [s.id, s.lastSample ?? -Infinity]));
  };

  it("keeps fresh forecasts for a killed member's series from its peer (replication 2)", async () => {
    const members = await Promise.all(
      [0, 1, 2].map((m) =>
        startExporter(config(40), ['--cluster.members=3', '--cluster.replication=2', `--cluster.member=${m}`]),
      ),
    );
    await Promise.all(members.map((e) => settled(e)));
    const copies = new Map<string, number>();
    for (const e of members) for (const k of (await keysOf(e)).keys()) copies.set(k, (copies.get(k) ?? 0) + 1);
    expect(copies.size).toBe(40);
    expect([...copies.values()].every((n) => n === 2)).toBe(true);

    const lost = await keysOf(members[0]);
    await members[0].stop();
    const killedAt = Math.max(...lost.values());
    // within one cycle (1 s, a simulated minute) the peers have moved every one of them on
    await waitFor(
      async () => {
        const seen = new Map<string, number>();
        for (const e of members.slice(1))
          for (const [k, t] of await keysOf(e)) seen.set(k, Math.max(seen.get(k) ?? -Infinity, t));
        return [...lost.keys()].every((k) => (seen.get(k) ?? -Infinity) > killedAt);
      },
      { timeout: 15_000, interval: 250, what: "the peers' forecasts of the killed member's series moving on" },
    );
    await Promise.all(members.slice(1).map((e) => e.stop()));
  });

  it('moves series when the fleet grows from two members to three, restoring only fresh models', async () => {
    const dirs = [0, 1, 2].map(() => tempDir('member-store'));
    const run = (n: number, m: number) =>
      startExporter(config(30), [`--cluster.members=${n}`, `--cluster.member=${m}`, `--storage.path=${dirs[m]}`]);
    const two = await Promise.all([0, 1].map((m) => run(2, m)));
    const before = await Promise.all(two.map((e) => settled(e).then(() => keysOf(e))));
    await Promise.all(two.map((e) => e.stop()));

    const three = await Promise.all([0, 1, 2].map((m) => run(3, m)));
    const after = await Promise.all(three.map((e) => settled(e).then(() => keysOf(e))));
    const owner = new Map<string, number>();
    after.forEach((keys, m) => {
      for (const k of keys.keys()) {
        expect(owner.has(k), `${k} owned by members ${owner.get(k)} and ${m}`).toBe(false);
        owner.set(k, m);
      }
    });
    expect(owner.size).toBe(30);
    // member 2 is new: everything it owns came from the others and was fitted afresh; the
    // others restored the models of series they kept
    const texts = await Promise.all(three.map((e) => e.metrics()));
    const restored = texts.map((t) => sum(t, 'cloudpulse_stored_models', (l) => l.result === 'restored'));
    expect(restored[2]).toBe(0);
    const kept = [0, 1].map((m) => [...after[m].keys()].filter((k) => before[m].has(k)).length);
    expect(restored[0]).toBe(kept[0]);
    expect(restored[1]).toBe(kept[1]);
    for (const e of three) expect(e.process.logs()).not.toMatch(/"stage":"restore"/);
    await Promise.all(three.map((e) => e.stop()));
  });
});
