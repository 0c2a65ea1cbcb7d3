import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { SimulationSource } from '../sources/simulation.js';
import { SourceError, type Labels, type RangeQuery, type Source, type SourceSeries } from '../sources/types.js';
import { T0, testPipeline } from '../../test/fixtures/test-pipeline.js';
import type { SeriesRecord } from '../store/record.js';

function config(extra = '', series = ''): Config {
  return parseConfig(
    `
source:
  simulation: {instances: 2, seed: 7, anomalies: false}
limits: {stale_after: 30m${extra}}
series:
  - name: cpu
    query: cpu_query
    simulate: cpu
    model: seasonal_naive
    step: 5m
    lookback: 2d
    horizons: [5m, 1h]
    refit_interval: 1h
    thresholds: [0.99]
${series}`,
    'test.yml',
  );
}

/** a source that records its queries, can be switched off, and can add label sets */
class Recording implements Source {
  readonly kind = 'prometheus';
  readonly simulated = false;
  queries: RangeQuery[] = [];
  down = false;
  /** extra label sets returned (each a copy of instance 0 shifted by 10%) */
  extra: Labels[] = [];
  constructor(private readonly inner: Source) {}
  async queryRange(q: RangeQuery) {
    this.queries.push(q);
    if (this.down)
      throw new SourceError('prometheus', 'connect ECONNREFUSED 127.0.0.1:9090', true, { reason: 'network' });
    const base = await this.inner.queryRange({ ...q, only: undefined });
    const all: SourceSeries[] = base.map((s) => ({ ...s, labels: { ...s.labels, job: 'real' } }));
    for (const labels of this.extra) all.push({ ...base[0], labels, values: base[0].values.map((v) => v * 1.1) });
    return q.only ? all.filter((s) => q.only!.some((o) => JSON.stringify(o) === JSON.stringify(s.labels))) : all;
  }
}

const records = (p: { store: { records(): Iterable<SeriesRecord> } }) => [...p.store.records()];

describe('pipeline', () => {
  it('loads the lookback once (in chunks), then only new points, and forecasts every horizon', async () => {
    const cfg = config();
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    const { pipeline, cycle, advance } = testPipeline(cfg, { source });
    expect(pipeline.ready).toBe(false);
    await cycle();
    expect(pipeline.ready).toBe(true);
    expect(pipeline.store.size()).toBe(2);
    const firstLoad = source.queries.splice(0);
    expect(firstLoad.length).toBeGreaterThan(1);
    expect(firstLoad.at(-1)!.end - firstLoad[0].start).toBe(2 * 86400 - 300);
    // chunks follow each other without gaps or overlaps
    for (let i = 1; i < firstLoad.length; i++) expect(firstLoad[i].start).toBe(firstLoad[i - 1].end + 300);
    for (const r of records(pipeline)) {
      expect(r.forecast!.point).toHaveLength(12);
      expect(r.forecast!.intervals.map((iv) => iv.level)).toEqual([0.8, 0.95]);
      for (let i = 0; i < 12; i++) {
        expect(r.forecast!.intervals[0].lower[i]).toBeLessThanOrEqual(r.forecast!.point[i]);
        expect(r.forecast!.intervals[1].upper[i]).toBeGreaterThanOrEqual(r.forecast!.point[i]);
      }
      expect(r.model?.name).toBe('seasonal_naive');
    }
    const end = firstLoad.at(-1)!.end;
    advance(600);
    await cycle();
    const second = source.queries[0];
    expect(second.start).toBe(end + 300);
    expect(second.end).toBe(end + 600);
    for (const r of records(pipeline)) {
      expect(r.forecast!.origin).toBe(second.end);
      expect(r.detection).toBeDefined();
    }
  });

  it('loads a long history newest quarter first, forecasts from it, then refits each series on the whole', async () => {
    const cfg = config();
    cfg.series[0].lookback = 7 * 86400; // 2,016 points at 5m
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    const { pipeline, cycle, calls } = testPipeline(cfg, { source });
    let forecastingWhenOlderStarted = -1;
    const query = source.queryRange.bind(source);
    source.queryRange = async (q) => {
      // the pipeline itself waits for the first fits before it asks for older points
      if (forecastingWhenOlderStarted < 0 && source.queries.length > 0 && q.start < source.queries[0].start)
        forecastingWhenOlderStarted = pipeline.store.forecasting;
      return query(q);
    };
    await cycle();
    const loads = source.queries;
    const split = loads[0].start;
    const at = loads.findIndex((q) => q.start < split);
    const newest = loads.slice(0, at);
    const older = loads.slice(at);
    const end = newest.at(-1)!.end;
    // the newest quarter (504 points) in chunks up to the end, then the rest, chunk after chunk
    expect(end - split).toBe(503 * 300);
    expect(older[0].start).toBe(end - 2015 * 300);
    expect(older.at(-1)!.end).toBe(split - 300);
    for (let i = 1; i < older.length; i++) expect(older[i].start).toBe(older[i - 1].end + 300);
    // every series forecast before the older part was fetched, and was fitted again with it
    expect(forecastingWhenOlderStarted).toBe(2);
    expect(calls.fits).toBe(4);
    for (const r of records(pipeline)) {
      const d = await pipeline.detail(r.key, 10_000);
      expect(d!.actual.filter(([, v]) => Number.isFinite(v))).toHaveLength(2016);
      expect(r.detection).toBeDefined();
    }
  });

  it('keeps serving the last forecasts while the source is down, then recovers', async () => {
    const cfg = config();
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    const { pipeline, cycle, advance, calls } = testPipeline(cfg, { source });
    await cycle();
    const before = records(pipeline).map((r) => Array.from(r.forecast!.point));
    source.down = true;
    advance(3600);
    await cycle();
    expect(pipeline.status.get('cpu')!.up).toBe(false);
    expect(pipeline.status.get('cpu')!.simulated).toBe(false);
    expect(calls.queryErrors).toEqual(['network']);
    expect(records(pipeline).map((r) => Array.from(r.forecast!.point))).toEqual(before);
    source.down = false;
    advance(300);
    await cycle();
    expect(pipeline.status.get('cpu')!.up).toBe(true);
    // the missed hour is fetched in one query after recovery
    const last = source.queries.at(-1)!;
    expect((last.end - last.start) / 300).toBe(12);
  });

  it('switches to simulation only where fallback says so, and marks it', async () => {
    const cfg = config('', '    fallback: simulation');
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    source.down = true;
    const { pipeline, cycle } = testPipeline(cfg, { source });
    await cycle();
    const status = pipeline.status.get('cpu')!;
    expect(status).toMatchObject({ up: false, simulated: true });
    expect(records(pipeline).length).toBe(2);
    expect(records(pipeline).every((r) => r.simulated && r.labels.job === 'node')).toBe(true);
  });

  it('drops label sets beyond limits.max_series and counts them', async () => {
    const { pipeline, cycle, calls } = testPipeline(config(', max_series: 1'));
    await cycle();
    expect(pipeline.store.size()).toBe(1);
    expect(calls.dropped).toBe(1);
  });

  it('refits when due (spread over the interval) and restores stored models after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-store-'));
    const cfg = config();
    const a = testPipeline(cfg, { storagePath: dir });
    await a.cycle();
    expect(a.calls.fits).toBe(2);
    a.advance(300);
    await a.cycle();
    expect(a.calls.fits).toBe(2); // not due yet
    // each series' first refit lands within [0.5, 1.5) intervals, by its own phase
    for (let i = 0; i < 18; i++) {
      a.advance(300);
      await a.cycle();
    }
    expect(a.calls.fits).toBe(4);

    const b = testPipeline(cfg, { storagePath: dir });
    b.advance(3900);
    await b.cycle();
    expect(b.calls.fits).toBe(0);
    expect(b.pipeline.ready).toBe(true);
    expect(b.pipeline.updates.restoreCounts).toEqual({ restored: 2, refitted: 0 });
  });

  it('refits a stored model that forecasts non-finite values at once, and counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-store-'));
    const cfg = config();
    const a = testPipeline(cfg, { storagePath: dir });
    await a.cycle();
    // corrupt one stored model the way an overflowed fit would leave it
    const file = readdirSync(join(dir, 'models'))[0];
    const stored = JSON.parse(readFileSync(join(dir, 'models', file), 'utf8'));
    stored.state.state.tail = stored.state.state.tail.map(() => 1e308);
    stored.state.state.sigma = 1e308;
    writeFileSync(join(dir, 'models', file), JSON.stringify(stored));

    const b = testPipeline(cfg, { storagePath: dir });
    await b.cycle();
    expect(b.pipeline.updates.restoreCounts).toEqual({ restored: 1, refitted: 1 });
    expect(b.calls.seriesErrors).toEqual([['cpu', 'restore']]);
    expect(b.calls.fits).toBe(1);
    for (const r of records(b.pipeline)) expect(Array.from(r.forecast!.point).every(Number.isFinite)).toBe(true);
  });

  it('refits a series whose stored model file is unreadable, and counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-store-'));
    const cfg = config();
    const a = testPipeline(cfg, { storagePath: dir });
    await a.cycle();
    const file = readdirSync(join(dir, 'models'))[0];
    writeFileSync(join(dir, 'models', file), '{"key": "cpu{...');

    const b = testPipeline(cfg, { storagePath: dir });
    await b.cycle();
    expect(b.pipeline.updates.restoreCounts).toEqual({ restored: 1, refitted: 1 });
    expect(b.calls.seriesErrors).toEqual([['cpu', 'restore']]);
    expect(b.calls.fits).toBe(1);
    expect([...b.pipeline.store.records()].every((r) => r.forecast)).toBe(true);
  });

  it('judges staleness in steps: a 1h step is not churn between its samples', async () => {
    const cfg = config(
      '',
      `  - {name: capacity, query: cap_query, simulate: memory, model: seasonal_naive, step: 1h, lookback: 3d, horizons: [1h, 4h]}`,
    );
    const { pipeline, cycle, advance } = testPipeline(cfg);
    await cycle();
    expect(pipeline.store.size('capacity')).toBe(2);
    const firstT = records(pipeline).find((r) => r.entry === 'capacity')!.lastT;
    for (let i = 0; i < 70; i++) {
      advance(60);
      await cycle();
      // never dropped and recreated between hourly samples
      expect(pipeline.store.size('capacity')).toBe(2);
    }
    const r = records(pipeline).find((x) => x.entry === 'capacity')!;
    expect(r.lastT).toBe(firstT + 3600);
    expect(r.forecast).toBeDefined();
  });

  it('drops a label set the source stopped returning once it is stale', async () => {
    const cfg = config();
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    source.extra = [{ instance: 'extra:9100', job: 'real' }];
    const { pipeline, cycle, advance } = testPipeline(cfg, { source });
    await cycle();
    expect(pipeline.store.size()).toBe(3);
    source.extra = [];
    advance(1800);
    await cycle();
    expect(pipeline.store.size()).toBe(3); // 30 minutes: not yet past stale_after
    advance(600);
    await cycle();
    expect(pipeline.store.size()).toBe(2);
  });

  it('backfills label sets that appear after start over the lookback, and counts them', async () => {
    const cfg = config();
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    const { pipeline, cycle, advance, calls } = testPipeline(cfg, { source });
    await cycle();
    advance(300);
    source.extra = [{ instance: 'new-node:9100', job: 'real' }];
    source.queries = [];
    await cycle();
    expect(calls.backfilled).toBe(1);
    // one incremental query, then the backfill restricted to the new label set
    expect(source.queries[0].only).toBeUndefined();
    expect(source.queries.slice(1).every((q) => q.only?.length === 1)).toBe(true);
    const fresh = records(pipeline).find((r) => r.labels.instance === 'new-node:9100')!;
    const detail = await pipeline.detail(fresh.key, 10_000);
    expect(detail!.actual.length).toBe(2 * 288);
    expect(fresh.forecast).toBeDefined();
  });

  it('counts NaN and infinite samples and keeps them as gaps', async () => {
    const cfg = config();
    const inner = new SimulationSource({ config: cfg.source.simulation, startTime: T0 });
    const source: Source = {
      kind: 'prometheus',
      simulated: false,
      async queryRange(q) {
        const out = await inner.queryRange(q);
        out[0].values[0] = NaN;
        if (out[0].values.length > 1) out[0].values[1] = Infinity;
        return out;
      },
    };
    const { cycle, calls } = testPipeline(cfg, { source });
    await cycle();
    expect(calls.samplesDropped.nan).toBeGreaterThan(0);
    expect(calls.samplesDropped.inf).toBeGreaterThan(0);
  });
});
