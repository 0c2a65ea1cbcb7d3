import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { DETECTORS } from '../detectors/index.js';
import type { DetectorFactory } from '../detectors/types.js';
import { MODELS } from '../models/index.js';
import type { ModelFactory } from '../models/types.js';
import type { Source } from '../sources/types.js';
import { testPipeline } from '../../test/fixtures/test-pipeline.js';

/** a detector that throws on negative values after its first hundred points, and scores 0 elsewhere */
const exploding: DetectorFactory = {
  name: 'exploding',
  summary: 'test only',
  create() {
    let seen = 0;
    return {
      score(_t, v) {
        seen++;
        if (v < 0 && seen > 100) throw new Error('detector exploded');
        return { score: 0, isAnomaly: false, severity: 0 };
      },
      toJSON: () => ({}),
    };
  },
};

/** three label sets on a regular grid; i2 is negative (the one the test doubles make fail) */
const threeSeries: Source = {
  kind: 'prometheus',
  simulated: false,
  async queryRange(q) {
    return [0, 1, 2].map((i) => {
      const timestamps: number[] = [];
      for (let t = q.start; t <= q.end; t += q.step) timestamps.push(t);
      return {
        labels: { instance: `i${i}` },
        timestamps,
        values: timestamps.map((t) => (i === 2 ? -1 : 1) * (1 + 0.1 * Math.sin(t / 3600))),
      };
    });
  },
};

/**
 * A model that is fine for positive series and throws for negative ones: at once (`when: 'fit'`,
 * so the fit's probe sees it) or only once it serves (`when: 'serving'`: the first forecast, the
 * probe, passes).
 */
const flakyModel = (when: 'fit' | 'serving'): ModelFactory => ({
  name: 'flaky',
  summary: 'test only',
  async fit(series) {
    const last = series.values[series.values.length - 1];
    const throws = last < 0;
    let calls = 0;
    return {
      name: 'flaky',
      description: 'flaky',
      forecast(h, levels) {
        calls++;
        if (throws && (when === 'fit' || calls > 1)) throw new Error('model exploded');
        const point = new Array(h).fill(last);
        const band = (d: number) => point.map((p) => p + d);
        return { point, intervals: levels.map((level) => ({ level, lower: band(-1), upper: band(1) })) };
      },
      update() {},
      toJSON: () => ({ model: 'flaky', version: 1, state: {} }),
    };
  },
  restore() {
    throw new Error('not stored');
  },
});

afterEach(() => {
  delete (DETECTORS as Record<string, DetectorFactory>).exploding;
  delete (MODELS as Record<string, ModelFactory>).flaky;
});

const cfg = (detector: string, model: string) =>
  parseConfig(
    `
source: {simulation: {instances: 3, seed: 11, anomalies: false}}
series:
  - {name: cpu, query: q, simulate: cpu, model: ${model}, detector: ${detector}, lookback: 1d, horizons: [5m, 1h]}
`,
    't.yml',
  );

describe('one failure boundary per series', () => {
  it('a detector that throws for one series is counted and skips only that series', async () => {
    (DETECTORS as Record<string, DetectorFactory>).exploding = exploding;
    const { pipeline, cycle, advance, calls } = testPipeline(cfg('exploding', 'seasonal_naive'), {
      source: threeSeries,
    });
    await cycle();
    advance(300);
    await cycle();
    expect(calls.seriesErrors).toEqual([['cpu', 'score']]);
    // every series still forecasts; the scheduler kept going
    expect(pipeline.store.size()).toBe(3);
    for (const r of pipeline.store.records()) expect(r.forecast).toBeDefined();
    advance(300);
    await cycle();
    // logged and counted once: the series is skipped until its next refit
    expect(calls.seriesErrors).toEqual([['cpu', 'score']]);
    expect(calls.cycles).toBe(3);
  });

  it('a model that fails at its fit for one series falls back for it alone: counted, shown in model_info', async () => {
    (MODELS as Record<string, ModelFactory>).flaky = flakyModel('fit');
    const { pipeline, cycle, calls } = testPipeline(cfg('residual', 'flaky'), { source: threeSeries });
    await cycle();
    expect(calls.seriesErrors).toEqual([]);
    expect(calls.fallbacks).toHaveLength(1);
    expect(calls.fallbacks[0][0]).toBe('flaky');
    const records = [...pipeline.store.records()];
    // every series forecasts; only the negative one through the chain
    expect(records.every((r) => r.forecast)).toBe(true);
    const i2 = records.find((r) => r.labels.instance === 'i2')!;
    expect(i2.model!.name).toBe(calls.fallbacks[0][1]);
    expect(i2.model!.description).toMatch(/\(fallback: flaky failed\)$/);
    expect(Buffer.from(i2.exposition).toString()).toMatch(/cloudpulse_model_info\{[^}]*model="(?!flaky)/);
    for (const r of records.filter((x) => x !== i2)) expect(r.model!.name).toBe('flaky');
  });

  it('a model that throws once serving is counted and skips only that series until its refit', async () => {
    (MODELS as Record<string, ModelFactory>).flaky = flakyModel('serving');
    const { pipeline, cycle, calls } = testPipeline(cfg('residual', 'flaky'), { source: threeSeries });
    await cycle();
    expect(calls.seriesErrors).toEqual([['cpu', 'forecast']]);
    const withForecast = [...pipeline.store.records()].filter((r) => r.forecast).map((r) => r.labels.instance);
    expect(withForecast.sort()).toEqual(['i0', 'i1']);
  });
});
