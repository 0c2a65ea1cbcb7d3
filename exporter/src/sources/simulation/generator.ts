/**
 * Simulated server metrics as pure functions of (seed, metric, instance, time): no state, no
 * clock, so any range can be computed in any order and always gives the same numbers.
 *
 * Each metric is built in a "working space" where anomalies add (linear for CPU, memory and
 * temperature, log for network bytes and request rates, whose variation is multiplicative), then
 * mapped back and kept in range. A counter is the running total of a request rate (counter.ts).
 */
import { anomaliesIn, type Anomaly, type AnomalyPlan, type MetricKind } from './anomalies.js';
import { gaussian, smoothNoise, streamKey, uniform, type StreamKey } from './random.js';
import { counterSeries } from './counter.js';

const HOUR = 3600;
const DAY = 86400;
/** An anomaly of magnitude 1 moves the working value by this much (about one typical local deviation). */
export const UNIT: Record<MetricKind, number> = {
  cpu: 0.05,
  memory: 0.04,
  network: 0.25,
  requests: 0.15,
  counter: 0.25,
  temperature: 0.4,
};

// stream ids: one per random component, so components never share draws
const S = { params: 1, noise: 2, wander: 3, burst: 4, trend: 5, restart: 6, tail: 7 } as const;
const METRIC_OFFSET: Record<MetricKind, number> = {
  cpu: 0,
  memory: 100,
  network: 200,
  requests: 300,
  counter: 400,
  temperature: 500,
};

/** Per-instance constants, drawn once from the seed. */
interface Profile {
  metric: MetricKind;
  keys: Record<keyof typeof S, StreamKey>;
  /** local-time offset of this instance's day, seconds */
  phase: number;
  level: number;
  amplitude: number;
  weekend: number;
  /** memory and counter: seconds between restarts; memory: the memory leaked over one cycle */
  cycle: number;
  leak: number;
}

export function profileOf(seed: number, metric: MetricKind, instance: number): Profile {
  const keys = Object.fromEntries(
    Object.entries(S).map(([name, id]) => [name, streamKey(seed, instance, METRIC_OFFSET[metric] + id)]),
  ) as Profile['keys'];
  const p = (i: number) => uniform(keys.params, i);
  const phase = Math.round((p(0) - 0.5) * 6) * HOUR;
  switch (metric) {
    case 'cpu':
      return {
        metric,
        keys,
        phase,
        level: 0.06 + 0.14 * p(1),
        amplitude: 0.2 + 0.3 * p(2),
        weekend: 0.3 + 0.3 * p(3),
        cycle: 0,
        leak: 0,
      };
    case 'memory':
      return {
        metric,
        keys,
        phase,
        level: 0.3 + 0.2 * p(1),
        amplitude: 0.02 + 0.02 * p(2),
        weekend: 0.5,
        cycle: (8 + 40 * p(4)) * HOUR,
        leak: 0.08 + 0.17 * p(5),
      };
    case 'network':
      // log-normal spread of typical throughput across machines: 0.5 MB/s .. 40 MB/s
      return {
        metric,
        keys,
        phase,
        level: Math.log(5e5) + Math.log(80) * p(1),
        amplitude: 0.6 + 0.3 * p(2),
        weekend: 0.4 + 0.3 * p(3),
        cycle: 0,
        leak: 0,
      };
    case 'requests':
    case 'counter':
      // log of requests per second at the weekday peak: 5 .. 500; nights and weekends far quieter
      return {
        metric,
        keys,
        phase,
        level: Math.log(5) + Math.log(100) * p(1),
        amplitude: 1.5 + p(2),
        weekend: 0.1 + 0.3 * p(3),
        cycle: metric === 'counter' ? (24 + 96 * p(4)) * HOUR : 0,
        leak: 0,
      };
    case 'temperature':
      // degrees Celsius: a machine sensor with a small daily swing and slow drifts
      return { metric, keys, phase, level: 35 + 25 * p(1), amplitude: 1 + 2 * p(2), weekend: 1, cycle: 0, leak: 0 };
  }
}

/** the daily shape at a second of the (local) day: 0 at night, 1 at the mid-afternoon peak */
function dailyShape(secondOfDay: number): number {
  const hourAngle = (2 * Math.PI * secondOfDay) / DAY;
  return Math.pow(0.5 * (1 - Math.cos(hourAngle - (2 * Math.PI * 4) / 24)), 1.5);
}

/**
 * dailyShape at whole seconds, filled as asked: a grid repeats the same seconds of the day every
 * day, and the cosine and power were the largest part of a simulated point's cost
 */
const dailyAtSecond = new Float64Array(DAY).fill(NaN);

/** 0 at night, 1 at the mid-afternoon peak; weekends scaled down. */
function seasonal(pr: Profile, t: number): number {
  const local = t + pr.phase;
  const secondOfDay = ((local % DAY) + DAY) % DAY;
  let daily: number;
  if (Number.isInteger(secondOfDay)) {
    daily = dailyAtSecond[secondOfDay];
    if (Number.isNaN(daily)) daily = dailyAtSecond[secondOfDay] = dailyShape(secondOfDay);
  } else daily = dailyShape(secondOfDay);
  // 1970-01-01 was a Thursday: day 0 -> weekday 4 (Sunday = 0)
  const weekday = (((Math.floor(local / DAY) + 4) % 7) + 7) % 7;
  return daily * (weekday === 0 || weekday === 6 ? pr.weekend : 1);
}

/** Business hours: 0 at night, 1 from 9:00 to 17:00 local with ramps and a lunch dip; weekends scaled down. */
function businessHours(pr: Profile, t: number): number {
  const local = t + pr.phase;
  const hour = (((local % DAY) + DAY) % DAY) / HOUR;
  const ramp = (x: number) => Math.min(1, Math.max(0, x));
  const open = ramp((hour - 7) / 2) * ramp((19 - hour) / 2);
  const lunch = 1 - 0.25 * Math.exp(-(((hour - 12.5) / 0.6) ** 2));
  const weekday = (((Math.floor(local / DAY) + 4) % 7) + 7) % 7;
  return open * lunch * (weekday === 0 || weekday === 6 ? pr.weekend : 1);
}

/** CPU bursts: in each hour, a 12% chance of a 2-20 minute burst of +0.05..0.2. */
function burst(pr: Profile, t: number): number {
  let total = 0;
  const slot = Math.floor(t / HOUR);
  for (let s = slot - 1; s <= slot; s++) {
    const u = (k: number) => uniform(pr.keys.burst, s * 4 + k);
    if (u(0) >= 0.12) continue;
    const start = s * HOUR + u(1) * HOUR;
    const length = 120 + u(2) * 1080;
    if (t >= start && t < start + length) total += 0.05 + 0.15 * u(3);
  }
  return total;
}

/** restart k of a process that restarts every `cycle` seconds, jittered by up to 30% */
function restartAt(pr: Profile, k: number): number {
  return k * pr.cycle + 0.3 * pr.cycle * uniform(pr.keys.restart, k);
}

/** the last restart at or before `t` */
function restartBefore(pr: Profile, t: number): number {
  const k = Math.floor(t / pr.cycle);
  return t < restartAt(pr, k) ? restartAt(pr, k - 1) : restartAt(pr, k);
}

/** Memory leak sawtooth: grows through each cycle, drops at a restart. */
function sawtooth(pr: Profile, t: number): number {
  let k = Math.floor(t / pr.cycle);
  if (t < restartAt(pr, k)) k -= 1;
  const from = restartAt(pr, k);
  return (pr.leak * (t - from)) / (restartAt(pr, k + 1) - from);
}

/** Heavy-tailed traffic: 1% of samples are multiplied by a Pareto(1.6) factor (capped at 40x). */
function heavyTail(pr: Profile, second: number): number {
  if (uniform(pr.keys.tail, second * 2) >= 0.01) return 0;
  return Math.min(Math.log(40), -Math.log(uniform(pr.keys.tail, second * 2 + 1)) / 1.6);
}

/** The working-space value with no anomaly. */
function working(pr: Profile, t: number): number {
  const second = Math.floor(t);
  const season = seasonal(pr, t);
  const noise = gaussian(pr.keys.noise, second);
  switch (pr.metric) {
    case 'cpu':
      return (
        pr.level +
        pr.amplitude * season +
        0.03 * smoothNoise(pr.keys.wander, t, 2 * HOUR) +
        burst(pr, t) +
        0.012 * noise
      );
    case 'memory':
      return (
        pr.level +
        0.05 * smoothNoise(pr.keys.trend, t, 2 * DAY) +
        sawtooth(pr, t) +
        pr.amplitude * season +
        0.003 * noise
      );
    case 'network':
      return (
        pr.level +
        Math.log(0.25 + 0.75 * season) * pr.amplitude +
        0.15 * smoothNoise(pr.keys.wander, t, HOUR) +
        0.12 * noise +
        heavyTail(pr, second)
      );
    case 'requests':
    case 'counter':
      // night traffic a few percent of the peak; count noise shrinks as traffic grows
      return (
        pr.level +
        Math.log(0.04 + 0.96 * businessHours(pr, t)) * (pr.amplitude / 3.2) +
        0.08 * smoothNoise(pr.keys.wander, t, 30 * 60) +
        (0.2 / Math.sqrt(Math.exp(pr.level) * (0.04 + 0.96 * businessHours(pr, t)))) * noise
      );
    case 'temperature':
      return (
        pr.level +
        pr.amplitude * Math.sin((2 * Math.PI * (t + pr.phase - 9 * HOUR)) / DAY) +
        2 * smoothNoise(pr.keys.trend, t, 3 * DAY) +
        0.3 * smoothNoise(pr.keys.wander, t, 2 * HOUR) +
        0.1 * noise
      );
  }
}

function toValue(metric: MetricKind, w: number): number {
  if (metric === 'network' || metric === 'requests' || metric === 'counter') return Math.exp(w);
  return metric === 'temperature' ? w : Math.min(1, Math.max(0, w));
}

/** The value at `t` given the anomalies active at `t` (pass [] for the normal value). */
export function valueAt(pr: Profile, t: number, active: readonly Anomaly[]): number {
  const flat = active.find((a) => a.kind === 'flatline');
  if (flat) return toValue(pr.metric, working(pr, flat.start));
  let w = working(pr, t);
  for (const a of active) {
    const size = a.direction * a.magnitude * UNIT[pr.metric];
    if (a.kind === 'spike' || a.kind === 'level_shift') w += size;
    else if (a.kind === 'drift') w += (size * (t - a.start)) / (a.end - a.start);
    // blend in the daily pattern twelve hours out of phase: busy nights, quiet afternoons
    else if (a.kind === 'seasonality_break') {
      w += a.magnitude * UNIT[pr.metric] * (seasonal(pr, t + DAY / 2) - seasonal(pr, t));
    }
  }
  return toValue(pr.metric, w);
}

/** Timestamps on multiples of `step` within [start, end]. */
export function alignedGrid(start: number, end: number, step: number): number[] {
  if (!(step > 0)) throw new RangeError(`step must be positive, got ${step}`);
  const out: number[] = [];
  for (let k = Math.ceil(start / step - 1e-9); k * step <= end + 1e-9; k++) out.push(k * step);
  return out;
}

const profiles = new Map<string, Profile>();

/** profileOf, drawn once per instance: a first load asks for the same instances in many chunks */
function cachedProfile(seed: number, metric: MetricKind, instance: number): Profile {
  const key = `${seed}:${metric}:${instance}`;
  let pr = profiles.get(key);
  if (!pr) {
    if (profiles.size >= 100_000) profiles.clear();
    pr = profileOf(seed, metric, instance);
    profiles.set(key, pr);
  }
  return pr;
}

/** One instance's values at `timestamps` (ascending), anomalies of the plan included. */
export function simulateSeries(
  plan: AnomalyPlan,
  metric: MetricKind,
  instance: number,
  timestamps: readonly number[],
  series?: string,
): number[] {
  if (timestamps.length === 0) return [];
  const pr = cachedProfile(plan.seed, metric, instance);
  if (metric === 'counter') {
    const from = restartBefore(pr, timestamps[0]);
    const anomalies = anomaliesIn(plan, metric, instance, from, timestamps[timestamps.length - 1], series);
    return counterSeries(
      timestamps,
      (t) => restartBefore(pr, t),
      (t) =>
        valueAt(
          pr,
          t,
          anomalies.filter((a) => a.start <= t && t < a.end),
        ),
    );
  }
  const anomalies = anomaliesIn(plan, metric, instance, timestamps[0], timestamps[timestamps.length - 1], series);
  if (anomalies.length === 0) return timestamps.map((t) => valueAt(pr, t, NONE));
  return timestamps.map((t) =>
    valueAt(
      pr,
      t,
      anomalies.filter((a) => a.start <= t && t < a.end),
    ),
  );
}

/** no anomaly active: one empty list for every point of a series without any */
const NONE: readonly Anomaly[] = [];
