import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { SimulationSource } from '../sources/simulation.js';
import { SourceError, type RangeQuery, type Source } from '../sources/types.js';
import { silentLogger } from '../util/logger.js';
import { InlineFitter } from './fitter.js';
import { ModelStore } from './model-store.js';
import { Pipeline, type PipelineInstruments } from './pipeline.js';

const T0 = Date.UTC(2026, 10, 1) / 1000;

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

function counters() {
  const calls = { queryErrors: [] as string[], dropped: 0, fits: 0, cycles: 0 };
  const instruments: PipelineInstruments = {
    queryDuration() {},
    queryError: (_s, reason) => calls.queryErrors.push(reason),
    fitDuration: () => void calls.fits++,
    fitError() {},
    seriesDropped: (_s, n) => void (calls.dropped += n),
    anomalyEvent() {},
    cycle: () => void calls.cycles++,
  };
  return { calls, instruments };
}

/** a source that records its queries and can be switched off */
class Recording implements Source {
  readonly kind = 'prometheus';
  readonly simulated = false;
  queries: RangeQuery[] = [];
  down = false;
  constructor(private readonly inner: Source) {}
  async queryRange(q: RangeQuery) {
    this.queries.push(q);
    if (this.down)
      throw new SourceError('prometheus', 'connect ECONNREFUSED 127.0.0.1:9090', true, { reason: 'network' });
    return (await this.inner.queryRange(q)).map((s) => ({ ...s, labels: { ...s.labels, job: 'real' } }));
  }
}

function setup(cfg: Config, opts: { source?: Source; store?: ModelStore } = {}) {
  let now = T0 * 1000;
  const { calls, instruments } = counters();
  const simulation = new SimulationSource({ config: cfg.source.simulation, startTime: T0 });
  const pipeline = new Pipeline({
    config: cfg,
    source: opts.source,
    simulation,
    fitter: new InlineFitter(),
    clock: () => now,
    logger: silentLogger,
    instruments,
    modelStore: opts.store,
  });
  const advance = (seconds: number) => void (now += seconds * 1000);
  const cycle = async () => {
    await pipeline.runCycle();
    await pipeline.whenIdle();
  };
  return { pipeline, calls, advance, cycle, simulation };
}

describe('pipeline', () => {
  it('loads the lookback once, then only new points, and forecasts every horizon', async () => {
    const cfg = config();
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    const { pipeline, cycle, advance } = setup(cfg, { source });
    expect(pipeline.ready).toBe(false);
    await cycle();
    expect(pipeline.ready).toBe(true);
    expect(pipeline.series.size).toBe(2);
    const first = source.queries[0];
    expect(first.end - first.start).toBe(2 * 86400);
    for (const s of pipeline.series.values()) {
      expect(s.values.length).toBe(2 * 288 + 1);
      expect(s.forecast!.byHorizon.map((h) => h.horizon)).toEqual([300, 3600]);
      for (const h of s.forecast!.byHorizon) {
        expect(h.bands[0][0]).toBeLessThanOrEqual(h.yhat);
        expect(h.bands[1][1]).toBeGreaterThanOrEqual(h.yhat);
      }
    }
    advance(600);
    await cycle();
    const second = source.queries[1];
    expect(second.start).toBe(first.end + 300);
    expect(second.end).toBe(first.end + 600);
    for (const s of pipeline.series.values()) {
      expect(s.forecast!.origin).toBe(second.end);
      expect(s.detection).toBeDefined();
    }
  });

  it('keeps serving the last forecasts while the source is down, then recovers', async () => {
    const cfg = config();
    const source = new Recording(new SimulationSource({ config: cfg.source.simulation, startTime: T0 }));
    const { pipeline, cycle, advance, calls } = setup(cfg, { source });
    await cycle();
    const before = [...pipeline.series.values()].map((s) => s.forecast);
    source.down = true;
    advance(3600);
    await cycle();
    expect(pipeline.status.get('cpu')!.up).toBe(false);
    expect(pipeline.status.get('cpu')!.simulated).toBe(false);
    expect(calls.queryErrors).toEqual(['network']);
    expect([...pipeline.series.values()].map((s) => s.forecast)).toEqual(before);
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
    const { pipeline, cycle } = setup(cfg, { source });
    await cycle();
    const status = pipeline.status.get('cpu')!;
    expect(status).toMatchObject({ up: false, simulated: true });
    expect([...pipeline.series.values()].every((s) => s.simulated && s.labels.job === 'node')).toBe(true);
  });

  it('drops label sets beyond limits.max_series and counts them', async () => {
    const { pipeline, cycle, calls } = setup(config(', max_series: 1'));
    await cycle();
    expect(pipeline.series.size).toBe(1);
    expect(calls.dropped).toBe(1);
  });

  it('refits when due and restores stored models after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-store-'));
    const cfg = config();
    const a = setup(cfg, { store: new ModelStore(dir) });
    await a.cycle();
    expect(a.calls.fits).toBe(2);
    a.advance(300);
    await a.cycle();
    expect(a.calls.fits).toBe(2); // not due yet
    a.advance(3600);
    await a.cycle();
    expect(a.calls.fits).toBe(4);

    const b = setup(cfg, { store: new ModelStore(dir) });
    b.advance(3900);
    await b.cycle();
    expect(b.calls.fits).toBe(0);
    expect(b.pipeline.ready).toBe(true);
  });
});
