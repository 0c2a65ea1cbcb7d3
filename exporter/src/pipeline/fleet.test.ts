/**
 * Several members over the same input give, together, what one process gives: every label set
 * owned by exactly R members (as the hashmod says), with the same rendered outputs byte for byte,
 * and each member asks its source only for what it owns.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Membership } from '../cluster/membership.js';
import { hashmod } from '../cluster/hashmod.js';
import { parseConfig } from '../config/load.js';
import { SimulationSource } from '../sources/simulation.js';
import type { LabelListing, Labels, RangeQuery, Source, SourceSeries } from '../sources/types.js';
import { T0, testPipeline } from '../../test/fixtures/test-pipeline.js';

const config = () =>
  parseConfig(
    `
source:
  simulation: {instances: 24, seed: 11, anomalies: false}
series:
  - {name: cpu, query: 'avg by (instance) (rate(cpu_seconds[5m]))', simulate: cpu, model: ets, step: 5m, lookback: 1d, horizons: [5m, 1h]}
  - {name: mem, query: 'mem_used / mem_total', simulate: memory, model: seasonal_naive, step: 5m, lookback: 1d, horizons: [15m]}
`,
    'fleet.yml',
  );

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** every record's rendered lines, by key, after two cycles */
async function outputs(membership?: Membership, source?: (sim: Source) => Source): Promise<Map<string, string>> {
  const cfg = config();
  const sim = new SimulationSource({ config: cfg.source.simulation, startTime: T0 });
  const p = testPipeline(cfg, { membership, source: source?.(sim) });
  await p.cycle();
  p.advance(300);
  await p.cycle();
  const out = new Map<string, string>();
  for (const r of p.pipeline.store.records()) out.set(r.key, text(r.exposition));
  await p.pipeline.stop();
  return out;
}

const members = (n: number, r: number) =>
  Array.from({ length: n }, (_, m) =>
    Membership.resolve({ members: n, member: m, replication: r, shard_by: ['instance'] }, ''),
  );

/** a remote-looking source over the simulation that answers queries narrowed by instance regex */
class NarrowingSource implements Source {
  readonly kind = 'prometheus';
  readonly simulated = false;
  readonly queries: string[] = [];
  readonly listings: LabelListing[] = [];
  constructor(private readonly sim: Source) {}
  async listLabelValues(l: LabelListing): Promise<Labels[]> {
    this.listings.push(l);
    const all = await this.sim.queryRange({ name: l.name, query: '', start: l.end, end: l.end, step: 300 });
    return all.map((s) => ({ instance: s.labels.instance }));
  }
  async queryRange(q: RangeQuery): Promise<SourceSeries[]> {
    this.queries.push(q.query);
    const m = /instance=~"([^"]*)"/.exec(q.query);
    const allowed = m
      ? new Set(
          m[1]
            .replace(/\\\\/g, '\\')
            .split('|')
            .map((v) => v.replace(/\\(.)/g, '$1')),
        )
      : undefined;
    // the keep predicate is for sources that compute answers; a remote one answers the query
    const all = await this.sim.queryRange({ ...q, keep: undefined });
    return allowed ? all.filter((s) => allowed.has(s.labels.instance)) : all;
  }
}

describe('a fleet of members', () => {
  it('owns every label set exactly R times, with the outputs one process gives', async () => {
    const single = await outputs();
    expect(single.size).toBe(48);
    for (const r of [1, 2]) {
      const seen = new Map<string, string[]>();
      for (const m of members(3, r)) {
        const out = await outputs(m);
        for (const [key, lines] of out) {
          const instance = /instance="([^"]+)"/.exec(key)![1];
          expect(m.owners(hashmod([instance], 3))).toContain(m.member);
          seen.set(key, [...(seen.get(key) ?? []), lines]);
        }
      }
      expect([...seen.keys()].sort()).toEqual([...single.keys()].sort());
      for (const [key, copies] of seen) {
        expect(copies, key).toHaveLength(r);
        for (const lines of copies) expect(lines).toBe(single.get(key));
      }
    }
  });

  it('narrows a remote source to the instances it owns and receives only those', async () => {
    const m = members(3, 1)[1];
    let source: NarrowingSource | undefined;
    const out = await outputs(m, (sim) => (source = new NarrowingSource(sim)));
    const owned = [...out.keys()].map((k) => /instance="([^"]+)"/.exec(k)![1]);
    expect(out.size).toBeGreaterThan(4);
    expect(out.size).toBeLessThan(30);
    // every query names exactly the owned instances (escaped), nothing else
    for (const q of source!.queries) {
      const listed = /instance=~"([^"]*)"/
        .exec(q)![1]
        .split('|')
        .map((v) => v.replace(/\\\\/g, ''));
      expect(new Set(listed.filter((v) => v !== ''))).toEqual(new Set(owned));
    }
    // the listings ask for label values of each entry's own selectors
    expect(source!.listings.find((l) => l.name === 'cpu')!.selectors).toEqual(['cpu_seconds']);
    expect(source!.listings.find((l) => l.name === 'mem')!.selectors).toEqual(['mem_used', 'mem_total']);
  });
});

describe('stored models after a restart or a move', () => {
  it('restores a model saved recently, and refits one fitted long ago (another owner, or this one long before)', async () => {
    const storagePath = mkdtempSync(join(tmpdir(), 'cp-store-'));
    const first = testPipeline(config(), { storagePath });
    await first.cycle();
    await first.pipeline.stop();
    const saved = first.pipeline.trackedSeries;
    // refit_interval is 1h (the default): 30 minutes later the models serve, 3 hours later they are stale
    for (const [later, restored] of [
      [1800, saved],
      [3 * 3600, 0],
    ]) {
      const again = testPipeline(config(), { storagePath, start: T0 + later });
      await again.cycle();
      expect(again.pipeline.updates.restoreCounts).toEqual({ restored, refitted: saved - restored });
      await again.pipeline.stop();
    }
  });
});
