import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { anomalyPlan, instanceLabels, SimulationSource, simulatedMetric, METRIC_KINDS } from './simulation.js';
import { anomaliesIn, type AnomalyPlan } from './simulation/anomalies.js';
import { alignedGrid, simulateSeries, UNIT } from './simulation/generator.js';

const DAY = 86400;
const T0 = Date.UTC(2024, 0, 1) / 1000; // a Monday
const quiet = (seed: number): AnomalyPlan => ({ seed, rate: 0, injected: [] });

function simConfig(simulation: Record<string, unknown>) {
  return configSchema.parse({ source: { simulation }, series: [{ name: 'x', query: 'up' }] }).source.simulation;
}

function autocorrelation(v: number[], lag: number): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < v.length; i++) {
    den += (v[i] - mean) ** 2;
    if (i >= lag) num += (v[i] - mean) * (v[i - lag] - mean);
  }
  return num / den;
}

describe('simulation generator', () => {
  it('is a pure function of (seed, metric, instance, time): any order, any split, any single point', () => {
    const plan: AnomalyPlan = { seed: 7, rate: 0.5, injected: [] };
    const ts = alignedGrid(T0, T0 + 3 * DAY, 300);
    for (const metric of METRIC_KINDS) {
      const whole = simulateSeries(plan, metric, 1, ts);
      const pieces = [ts.slice(600), ts.slice(300, 600), ts.slice(0, 300)].map((part) =>
        simulateSeries(plan, metric, 1, part),
      );
      expect([...pieces[2], ...pieces[1], ...pieces[0]]).toEqual(whole);
      for (const i of [0, 17, 500, ts.length - 1]) {
        expect(simulateSeries(plan, metric, 1, [ts[i]])).toEqual([whole[i]]);
      }
      expect(simulateSeries(plan, metric, 1, ts)).toEqual(whole);
    }
  });

  it('differs between seeds and between instances', () => {
    const ts = alignedGrid(T0, T0 + DAY, 300);
    const a = simulateSeries(quiet(1), 'cpu', 0, ts);
    const b = simulateSeries(quiet(2), 'cpu', 0, ts);
    const c = simulateSeries(quiet(1), 'cpu', 1, ts);
    expect(a.filter((v, i) => v !== b[i]).length).toBeGreaterThan(ts.length * 0.9);
    expect(a.filter((v, i) => v !== c[i]).length).toBeGreaterThan(ts.length * 0.9);
  });

  it('keeps values plausible, anomalies included', () => {
    const plan: AnomalyPlan = { seed: 3, rate: 1, injected: [] };
    const ts = alignedGrid(T0, T0 + 28 * DAY, 300);
    for (let instance = 0; instance < 5; instance++) {
      const outside = (metric: 'cpu' | 'memory' | 'network', ok: (v: number) => boolean) =>
        simulateSeries(plan, metric, instance, ts).filter((v) => !ok(v));
      expect(outside('cpu', (v) => v >= 0 && v <= 1)).toEqual([]);
      expect(outside('memory', (v) => v >= 0 && v <= 1)).toEqual([]);
      expect(outside('network', (v) => Number.isFinite(v) && v >= 0)).toEqual([]);
    }
  });

  it('has daily and weekly seasonality in CPU', () => {
    const ts = alignedGrid(T0, T0 + 28 * DAY, 300);
    for (let instance = 0; instance < 4; instance++) {
      const v = simulateSeries(quiet(42), 'cpu', instance, ts);
      expect(autocorrelation(v, DAY / 300)).toBeGreaterThan(0.5);
      expect(autocorrelation(v, DAY / 600)).toBeLessThan(0); // half a day apart: opposite phase
      const weekday = v.filter((_, i) => ![5, 6].includes(Math.floor((ts[i] - T0) / DAY) % 7));
      const weekend = v.filter((_, i) => [5, 6].includes(Math.floor((ts[i] - T0) / DAY) % 7));
      const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
      expect(mean(weekday)).toBeGreaterThan(mean(weekend) * 1.1);
    }
  });

  it('gives memory a sawtooth and network a heavy tail', () => {
    const ts = alignedGrid(T0, T0 + 14 * DAY, 300);
    const mem = simulateSeries(quiet(42), 'memory', 0, ts);
    const drops = mem.slice(1).filter((v, i) => v - mem[i] < -0.05).length;
    expect(drops).toBeGreaterThanOrEqual(5); // restarts at least every two days
    const net = simulateSeries(quiet(42), 'network', 0, ts);
    const sorted = [...net].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    expect(sorted.at(-1)! / median).toBeGreaterThan(5);
  });

  it('gives requests business hours, counters restarts, temperature slow drifts', () => {
    const ts = alignedGrid(T0, T0 + 14 * DAY, 300);
    const req = simulateSeries(quiet(42), 'requests', 0, ts);
    const at = (hour: number, day: number) => req[(day * DAY + hour * 3600) / 300];
    // Monday 14:00 local is far busier than 03:00 and than the Saturday afternoon
    expect(at(14, 0)).toBeGreaterThan(at(3, 0) * 3);
    expect(at(14, 0)).toBeGreaterThan(at(14, 5) * 1.5);
    const counter = simulateSeries(quiet(42), 'counter', 0, ts);
    const resets = counter.slice(1).filter((v, i) => v < counter[i]).length;
    expect(resets).toBeGreaterThanOrEqual(2);
    expect(counter.every((v) => v >= 0)).toBe(true);
    const temp = simulateSeries(quiet(42), 'temperature', 0, ts);
    const dailyMeans = Array.from(
      { length: 14 },
      (_, d) => temp.slice(d * 288, (d + 1) * 288).reduce((a, b) => a + b) / 288,
    );
    expect(Math.max(...dailyMeans) - Math.min(...dailyMeans)).toBeGreaterThan(0.5);
  });

  it('stretches random anomalies with the time scale, so a coarse step sees them span as many points', () => {
    const spans = (timeScale: number) =>
      METRIC_KINDS.flatMap((m) =>
        anomaliesIn({ seed: 5, rate: 0.3, injected: [], timeScale }, m, 0, T0, T0 + 240 * DAY).map(
          (a) => a.end - a.start,
        ),
      );
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    const [base, hourly] = [spans(1), spans(12)];
    expect(hourly.length).toBeGreaterThan(10);
    expect(mean(hourly) / mean(base)).toBeGreaterThan(6);
    // one slot of 12 days holds at most one anomaly per metric
    expect(hourly.length).toBeLessThanOrEqual(METRIC_KINDS.length * 21);
  });

  it('labels random anomalies exactly where values deviate from the anomaly-free series', () => {
    const plan: AnomalyPlan = { seed: 11, rate: 0.6, injected: [] };
    const ts = alignedGrid(T0, T0 + 21 * DAY, 300);
    let checked = 0;
    for (const metric of METRIC_KINDS) {
      for (let instance = 0; instance < 3; instance++) {
        // a counter carries an anomaly's extra counts until its next restart: compare its increments
        const series = (p: AnomalyPlan) => {
          const v = simulateSeries(p, metric, instance, ts);
          return metric === 'counter' ? v.map((x, i) => (i > 0 && x >= v[i - 1] ? x - v[i - 1] : NaN)) : v;
        };
        const withAnomalies = series(plan);
        const normal = series(quiet(11));
        const windows = anomaliesIn(plan, metric, instance, ts[0], ts.at(-1)!);
        // a counter's increment at t sums the step before t
        const reach = metric === 'counter' ? 300 : 0;
        const inside = (t: number) => windows.some((a) => a.start <= t && t < a.end + reach);
        ts.forEach((t, i) => {
          if (inside(t)) return;
          // increments are differences of large totals: equal to rounding
          if (metric === 'counter' && Number.isFinite(normal[i])) expect(withAnomalies[i]).toBeCloseTo(normal[i], 4);
          else expect(withAnomalies[i]).toBe(normal[i]);
        });
        for (const a of windows) {
          const idx = ts.flatMap((t, i) => (t > a.start && t < a.end ? [i] : []));
          if (idx.length < 2) continue;
          checked++;
          // relative deviation for network, absolute for utilisations
          const dev = idx.map((i) =>
            ['network', 'requests', 'counter'].includes(metric)
              ? Math.abs(Math.log(withAnomalies[i] / normal[i]))
              : Math.abs(withAnomalies[i] - normal[i]),
          );
          const ok = dev.filter(Number.isFinite); // a counter's restart has no increment
          const meanDev = ok.reduce((x, y) => x + y, 0) / ok.length;
          // flat-lines are anomalous by their lack of noise rather than by their level
          if (a.kind === 'flatline') {
            if (metric !== 'counter') expect(new Set(idx.map((i) => withAnomalies[i])).size).toBe(1);
          } else expect(meanDev, `${metric}/${instance} ${a.kind}`).toBeGreaterThan(UNIT[metric] * 0.4);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('SimulationSource', () => {
  it('returns one series per instance on the step grid, with node-exporter labels', async () => {
    const source = new SimulationSource({ config: simConfig({ instances: 4, seed: 5 }), startTime: T0 });
    expect(source.simulated).toBe(true);
    const series = await source.queryRange({
      name: 'node_memory',
      query: 'x',
      start: T0 + 7,
      end: T0 + 3600,
      step: 60,
    });
    expect(series.map((s) => s.labels)).toEqual([0, 1, 2, 3].map(instanceLabels));
    expect(series[0].labels).toEqual({ instance: 'sim-0:9100', job: 'node' });
    for (const s of series) {
      expect(s.timestamps[0]).toBe(T0 + 60);
      expect(s.timestamps.at(-1)).toBe(T0 + 3600);
      expect(s.timestamps).toHaveLength(60);
      expect(s.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });

  it('picks the metric from `simulate`, else from the name, else CPU', () => {
    expect(simulatedMetric({ name: 'node_mem_used', simulate: 'network' })).toBe('network');
    expect(simulatedMetric({ name: 'node_memory_utilisation' })).toBe('memory');
    expect(simulatedMetric({ name: 'node_network_receive' })).toBe('network');
    expect(simulatedMetric({ name: 'load' })).toBe('cpu');
  });

  it('explicit injections switch random anomalies off and show as a clear deviation after `after`', async () => {
    const config = simConfig({
      instances: 2,
      seed: 42,
      anomalies: true,
      inject: [{ after: '2h', kind: 'level_shift', duration: '30m', magnitude: 6, instance: 1, series: 'cpu_util' }],
    });
    const source = new SimulationSource({ config, startTime: T0 });
    const inj = { start: T0 + 7200, end: T0 + 9000 };
    // a month of history before the start has no anomaly at all
    expect(source.anomalyWindows('cpu', 1, T0 - 30 * DAY, inj.start - 1)).toEqual([]);
    expect(source.anomalyWindows('cpu', 0, T0 - 30 * DAY, T0 + 30 * DAY)).toEqual([]);
    expect(source.anomalyWindows('cpu', 1, T0, T0 + DAY, 'cpu_util')).toMatchObject([
      { kind: 'level_shift', start: inj.start, end: inj.end, instance: 1, origin: 'injected' },
    ]);
    expect(source.anomalyWindows('cpu', 1, T0, T0 + DAY, 'other')).toEqual([]);

    const q = { name: 'cpu_util', query: 'x', start: T0, end: T0 + 4 * 3600, step: 60, simulate: 'cpu' as const };
    const [, got] = await source.queryRange(q);
    const normal = simulateSeries(quiet(42), 'cpu', 1, got.timestamps);
    got.timestamps.forEach((t, i) => {
      const diff = got.values[i] - normal[i];
      if (t >= inj.start && t < inj.end) expect(diff).toBeCloseTo(0.3, 6);
      else expect(diff).toBe(0);
    });
    // another series of the same instance is untouched
    const [, other] = await source.queryRange({ ...q, name: 'other' });
    expect(other.values).toEqual(normal);
  });

  it('rejects an injection on an instance that does not exist, naming the key', () => {
    const config = simConfig({ instances: 2, inject: [{ after: '1h', kind: 'spike', instance: 2 }] });
    expect(() => anomalyPlan(config, T0)).toThrow(
      /source\.simulation\.inject\[0\]\.instance: expected an instance below 2/,
    );
  });

  it('turns random anomalies off with anomalies: false', () => {
    const source = new SimulationSource({ config: simConfig({ anomalies: false }), startTime: T0 });
    expect(source.anomalyWindows('cpu', 0, T0 - 365 * DAY, T0)).toEqual([]);
    const on = new SimulationSource({ config: simConfig({}), startTime: T0 });
    expect(on.anomalyWindows('cpu', 0, T0 - 365 * DAY, T0).length).toBeGreaterThan(30);
  });
});
