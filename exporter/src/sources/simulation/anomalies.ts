/**
 * Where the simulation's anomalies are: random ones placed by the seed (at most one per day per
 * instance and metric, so that the list for any time range is computed without history), plus
 * explicitly configured injections. The ground truth for tests and `cloudpulse simulate`.
 */
import { streamKey, uniform } from './random.js';

/** server metrics (the live simulation's), then other shapes for detector development */
export const METRIC_KINDS = ['cpu', 'memory', 'network', 'requests', 'counter', 'temperature'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];
/** the kinds a node exporter gives, and `cloudpulse simulate`'s default */
export const SERVER_KINDS: readonly MetricKind[] = ['cpu', 'memory', 'network'];

export const ANOMALY_KINDS = ['spike', 'level_shift', 'drift', 'flatline', 'seasonality_break'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface Anomaly {
  kind: AnomalyKind;
  metric: MetricKind;
  instance: number;
  /** unix seconds; the anomaly covers [start, end) */
  start: number;
  end: number;
  /** size in units of the metric's typical short-term variation (see generator UNIT) */
  magnitude: number;
  /** +1 up, -1 down */
  direction: 1 | -1;
  /** only the config series of this name sees it (explicit injections); undefined = all */
  series?: string;
  origin: 'random' | 'injected';
}

/** Everything that decides the anomalies of a run. */
export interface AnomalyPlan {
  seed: number;
  /** chance per day, per instance and metric, of one random anomaly; 0 disables them */
  rate: number;
  injected: InjectedAnomaly[];
  /**
   * stretches random anomalies (and the slots they are placed in) by this factor, so that at coarse
   * steps they span as many points as at 5 minutes: `cloudpulse simulate` passes step / 5 min (>= 1)
   */
  timeScale?: number;
}

/** A configured injection; without `metric` it applies to whatever metric its series simulates. */
export type InjectedAnomaly = Omit<Anomaly, 'metric' | 'origin'> & { metric?: MetricKind };

const DAY = 86400;
const METRIC_ID: Record<MetricKind, number> = {
  cpu: 1,
  memory: 2,
  network: 3,
  requests: 4,
  counter: 5,
  temperature: 6,
};
const RANDOM_ANOMALY_STREAM = 900;

/** [shortest, longest] seconds per kind at time scale 1; all under a day so only the previous slot can reach in. */
const DURATION: Record<AnomalyKind, [number, number]> = {
  spike: [300, 1200],
  level_shift: [2 * 3600, 8 * 3600],
  drift: [4 * 3600, 12 * 3600],
  flatline: [3600, 4 * 3600],
  seasonality_break: [12 * 3600, 20 * 3600],
};

function randomAnomalyOfSlot(
  plan: AnomalyPlan,
  metric: MetricKind,
  instance: number,
  slot: number,
  scale: number,
): Anomaly | undefined {
  const key = streamKey(plan.seed, instance, RANDOM_ANOMALY_STREAM + METRIC_ID[metric]);
  const draw = (k: number) => uniform(key, slot * 8 + k);
  // the same draw decides presence at every rate, so a lower rate's anomalies are a subset
  if (draw(0) >= Math.min(1, plan.rate * scale)) return undefined;
  const kind = ANOMALY_KINDS[Math.floor(draw(1) * ANOMALY_KINDS.length)];
  const [shortest, longest] = DURATION[kind];
  const duration = 60 * Math.round((scale * (shortest + draw(2) * (longest - shortest))) / 60);
  const span = DAY * scale;
  // start on a whole minute inside the slot, early enough that a test can see it end
  const start = slot * span + 60 * Math.floor((draw(3) * (span - duration)) / 60);
  return {
    kind,
    metric,
    instance,
    start,
    end: start + duration,
    magnitude: 4 + 4 * draw(4),
    direction: kind === 'spike' || draw(5) < 0.6 ? 1 : -1,
    origin: 'random',
  };
}

/** Anomalies of (metric, instance) overlapping [start, end], ordered by start. */
export function anomaliesIn(
  plan: AnomalyPlan,
  metric: MetricKind,
  instance: number,
  start: number,
  end: number,
  series?: string,
): Anomaly[] {
  const out: Anomaly[] = [];
  if (plan.rate > 0) {
    const scale = Math.max(1, plan.timeScale ?? 1);
    const span = DAY * scale;
    for (let slot = Math.floor(start / span) - 1; slot <= Math.floor(end / span); slot++) {
      const a = randomAnomalyOfSlot(plan, metric, instance, slot, scale);
      if (a && a.end > start && a.start <= end) out.push(a);
    }
  }
  for (const a of plan.injected) {
    if ((a.metric !== undefined && a.metric !== metric) || a.instance !== instance) continue;
    if (a.series !== undefined && series !== undefined && a.series !== series) continue;
    if (a.end > start && a.start <= end) out.push({ ...a, metric, origin: 'injected' });
  }
  return out.sort((a, b) => a.start - b.start);
}
