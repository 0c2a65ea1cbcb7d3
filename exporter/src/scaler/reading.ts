/**
 * The scale metric of one trigger now, read from the store through the ScalerView and computed by
 * the capacity planner, the same code `cloudpulse plan` runs:
 *
 *   1. per matching label set: planScaleMetric(last value, forecast, {leadTime, level, headroom})
 *   2. the per-label-set values aggregated (sum by default)
 *   3. min, max and step limits on the aggregate, by the planner again (a lead time of 0 makes it
 *      apply only its limits), so for one label set the result is exactly one planScaleMetric call.
 *
 * The step limits need the value of the previous step: StepMemory keeps it per trigger and moves
 * on when the forecast origin does, so they act once per series step as in `cloudpulse plan`,
 * however often KEDA asks.
 */
import { planScaleMetric, PlannerError, type PlannerPolicy } from '../scaling/planner.js';
import type { SeriesRecord } from '../store/record.js';
import { formatDuration } from '../util/duration.js';
import type { ScalerInactiveReason } from '../vocabulary.js';
import { formatMatchers } from './matchers.js';
import { MetadataError, type ScalerQuery } from './metadata.js';
import { plannerPolicy } from './policy.js';
import type { ScalerView } from './view.js';

export type Reading =
  | { ok: true; value: number; active: boolean; labelSets: number; origin: number }
  | { ok: false; reason: ScalerInactiveReason; message: string };

/** A forecast is stale when older than two refreshes: max(step, schedule.interval) each. */
export function isStale(record: SeriesRecord, now: number, interval: number): boolean {
  return !(now - (record.forecastAt ?? -Infinity) <= 2 * Math.max(record.step, interval));
}

/** Where the step limits find the previous value; `remember` is false for activity checks. */
export interface StepContext {
  memory: StepMemory;
  key: string;
  remember: boolean;
}

/** The entry's source state; throws MetadataError naming the known entries when there is none. */
function entryStatus(view: ScalerView, query: ScalerQuery): { up: boolean; simulated: boolean } {
  const status = view.entryStatus(query.series);
  if (!status) {
    throw new MetadataError(
      'series',
      `no series entry named "${query.series}" (entries: ${view.entries().join(', ')})`,
    );
  }
  return status;
}

/**
 * The reading for `query`; throws MetadataError when the metadata cannot be served at all (an
 * unknown entry, a level the forecast has no band for, a lead time beyond the forecast).
 */
export function readScaleMetric(view: ScalerView, query: ScalerQuery, steps?: StepContext): Reading {
  const status = entryStatus(view, query);
  const where = `series ${query.series}${query.matchers.length ? `{${formatMatchers(query.matchers)}}` : ''}`;
  if (!status.up) return { ok: false, reason: 'source_down', message: `${where}: the source is down` };
  const missing = view.missing?.(query);
  if (missing) return { ok: false, reason: 'member_down', message: `${where}: ${missing}` };
  const now = view.now();
  const matched: SeriesRecord[] = [];
  for (const r of view.records(query.series)) if (query.matches(r.labels)) matched.push(r);
  if (matched.length === 0) return { ok: false, reason: 'no_series', message: `${where}: no label set matches` };
  let origin = -Infinity;
  let newest = -Infinity;
  for (const r of matched) {
    if (!r.forecast) continue;
    newest = Math.max(newest, r.forecastAt ?? -Infinity);
    origin = Math.max(origin, r.forecast.origin);
  }
  if (origin === -Infinity) return { ok: false, reason: 'no_forecast', message: `${where}: no forecast yet` };
  const maxAge = 2 * Math.max(matched[0].step, view.interval);
  if (!(now - newest <= maxAge)) {
    return {
      ok: false,
      reason: 'stale',
      message: `${where}: the newest forecast is ${formatDuration(Math.round(now - newest))} old (limit ${formatDuration(maxAge)})`,
    };
  }

  const values: number[] = [];
  for (const r of matched) {
    const policy = plannerPolicy(query.settings, r.step);
    // a label set whose forecast is stale (its model failed) or not made yet counts at its last value
    const forecast = r.forecast && !isStale(r, now, view.interval) ? r.forecast : undefined;
    const plan = plan1(r, forecast, { leadTime: policy.leadTime, level: policy.level, headroom: policy.headroom });
    if (forecast && plan.missingSteps > 0) {
      const length = forecast.point.length * r.step;
      throw new MetadataError(
        'leadTime',
        `${formatDuration(policy.leadTime)} reaches past the forecast of ${where} (${formatDuration(length)}); ` +
          'use a shorter lead time or give the series entry a longer horizon',
      );
    }
    if (Number.isFinite(plan.value)) values.push(plan.value);
  }
  if (values.length === 0) return { ok: false, reason: 'no_forecast', message: `${where}: no value yet` };
  const aggregated = aggregate(values, query.aggregate);

  const policy = plannerPolicy(query.settings, matched[0].step, true);
  const limits: PlannerPolicy = {
    leadTime: 0,
    min: policy.min,
    max: policy.max,
    maxStepUp: policy.maxStepUp,
    maxStepDown: policy.maxStepDown,
  };
  const stepped = policy.maxStepUp !== undefined || policy.maxStepDown !== undefined;
  const previous = stepped && steps ? steps.memory.previous(steps.key, origin) : undefined;
  const value = planScaleMetric({ observed: aggregated, step: 1 }, limits, previous).value;
  if (stepped && steps?.remember) steps.memory.remember(steps.key, origin, value, now);
  return { ok: true, value, active: value > query.activationThreshold, labelSets: values.length, origin };
}

function plan1(r: SeriesRecord, forecast: SeriesRecord['forecast'], policy: PlannerPolicy) {
  try {
    return planScaleMetric({ observed: r.lastValue, step: r.step, forecast }, policy);
  } catch (err) {
    if (err instanceof PlannerError) throw MetadataError.fromPlanner(err);
    throw err;
  }
}

function aggregate(values: number[], how: ScalerQuery['aggregate']): number {
  if (how === 'max') return Math.max(...values);
  const sum = values.reduce((a, b) => a + b, 0);
  return how === 'avg' ? sum / values.length : sum;
}

/** triggers not asked for this long are forgotten */
const FORGET_AFTER = 3600;

/** The last scale metric per trigger and forecast origin, for the step limits. */
export class StepMemory {
  private readonly byKey = new Map<string, { origin: number; value: number; previous?: number; used: number }>();

  /** the value of the step before `origin` */
  previous(key: string, origin: number): number | undefined {
    const e = this.byKey.get(key);
    if (!e) return undefined;
    return origin > e.origin ? e.value : e.previous;
  }

  remember(key: string, origin: number, value: number, now: number): void {
    const e = this.byKey.get(key);
    if (e && origin === e.origin) {
      e.value = value;
      e.used = now;
      return;
    }
    if (!e) this.forget(now);
    this.byKey.set(key, { origin, value, previous: e && origin > e.origin ? e.value : e?.previous, used: now });
  }

  private forget(now: number): void {
    for (const [key, e] of this.byKey) if (now - e.used > FORGET_AFTER) this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
