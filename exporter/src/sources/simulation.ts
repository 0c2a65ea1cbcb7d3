/**
 * The simulation source: realistic, seeded node metrics for N instances, used when no Prometheus
 * is configured (always exported as `cloudpulse_source_simulated 1`) and by tests and
 * `cloudpulse simulate`. Values are pure functions of (seed, metric, instance, time).
 *
 * Anomalies: with `anomalies: true` random ones are placed by the seed at `anomalyRate` per day
 * per instance and metric. Explicit `inject` entries turn the random ones OFF for that run, so an
 * end-to-end test sees no anomaly before its injection time and a clear one after it.
 */
import type { SimulationSourceConfig } from '../config/schema.js';
import { anomaliesIn, type Anomaly, type AnomalyPlan, type MetricKind } from './simulation/anomalies.js';
import { alignedGrid, simulateSeries } from './simulation/generator.js';
import { isOneOf, type RangeQuery, type Source, type SourceSeries } from './types.js';

export { METRIC_KINDS, ANOMALY_KINDS } from './simulation/anomalies.js';
export type { Anomaly, AnomalyKind, MetricKind } from './simulation/anomalies.js';

/** Random anomalies per day per instance and metric when `anomalies: true`. */
export const DEFAULT_ANOMALY_RATE = 0.2;

export interface SimulationSourceOptions {
  config: SimulationSourceConfig;
  /** unix seconds that `inject[].after` counts from (the exporter's start) */
  startTime: number;
  /** overrides DEFAULT_ANOMALY_RATE; ignored when anomalies are off or injections are given */
  anomalyRate?: number;
}

/** The metric a query simulates: its `simulate` field, else a keyword in its name, else CPU. */
export function simulatedMetric(q: Pick<RangeQuery, 'name' | 'simulate'>): MetricKind {
  if (q.simulate) return q.simulate;
  const name = q.name.toLowerCase();
  if (name.includes('mem')) return 'memory';
  if (name.includes('net')) return 'network';
  return 'cpu';
}

export function instanceLabels(instance: number): { instance: string; job: string } {
  return { instance: `sim-${instance}:9100`, job: 'node' };
}

/** The anomaly plan of a simulation config: seed, random rate, and injections made absolute. */
export function anomalyPlan(
  config: SimulationSourceConfig,
  startTime: number,
  anomalyRate = DEFAULT_ANOMALY_RATE,
): AnomalyPlan {
  config.inject.forEach((inj, i) => {
    if (inj.instance >= config.instances) {
      throw new Error(
        `source.simulation.inject[${i}].instance: expected an instance below ${config.instances} (instances), got ${inj.instance}`,
      );
    }
  });
  return {
    seed: config.seed,
    rate: config.anomalies && config.inject.length === 0 ? anomalyRate : 0,
    injected: config.inject.map((inj) => ({
      kind: inj.kind,
      instance: inj.instance,
      start: startTime + inj.after,
      end: startTime + inj.after + inj.duration,
      magnitude: inj.magnitude,
      direction: 1,
      series: inj.series,
    })),
  };
}

/** how long one slice of a query's computation may hold the event loop */
const YIELD_AFTER_MS = 8;

export class SimulationSource implements Source {
  readonly kind = 'simulation';
  readonly simulated = true;
  readonly local = true;
  readonly plan: AnomalyPlan;
  private readonly instances: number;

  constructor(options: SimulationSourceOptions) {
    this.plan = anomalyPlan(options.config, options.startTime, options.anomalyRate);
    this.instances = options.config.instances;
  }

  async queryRange(q: RangeQuery, signal?: AbortSignal): Promise<SourceSeries[]> {
    signal?.throwIfAborted();
    const metric = simulatedMetric(q);
    const timestamps = alignedGrid(q.start, q.end, q.step);
    const out: SourceSeries[] = [];
    let slice = performance.now();
    for (let i = 0; i < this.instances; i++) {
      // computed on the event loop: let scrapes in every few milliseconds of a large answer
      if (performance.now() - slice > YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
        slice = performance.now();
      }
      const labels = instanceLabels(i);
      if ((q.only && !isOneOf(labels, q.only)) || (q.keep && !q.keep(labels))) continue;
      out.push({
        labels,
        timestamps: [...timestamps],
        values: simulateSeries(this.plan, metric, i, timestamps, q.name),
      });
    }
    return out;
  }

  /** Ground truth: anomalies of (metric, instance) overlapping [start, end]; `series` narrows injections. */
  anomalyWindows(metric: MetricKind, instance: number, start: number, end: number, series?: string): Anomaly[] {
    return anomaliesIn(this.plan, metric, instance, start, end, series);
  }
}
