/**
 * One trace through every policy and start-up delay: the engine of `cloudpulse scale-sim` and
 * `npm run bench:scaling`. Forecasts are replayed once (for the longest lead window); each policy
 * runs at its own cost, at extra headroom levels (the cost/risk frontier), and matched to the
 * reference policy's replica-minutes (the equal-cost comparison).
 */
import { getModel } from '../models/index.js';
import { defaultLeadTime, plannerPolicy, type PlanSettings } from './defaults.js';
import { matchCost, runWithHeadroom, traceWorkload, type ProtocolOptions } from './experiment.js';
import { replayForecasts, type ForecastTrack } from './forecast-replay.js';
import { DEFAULT_HPA, simulateHpa, type HpaConfig, type HpaScore, type HpaTimeline } from './hpa.js';
import { leadSteps } from './planner.js';
import { getPolicy } from './policies/index.js';
import type { PolicyContext } from './policies/types.js';

export interface ScaleSimOptions {
  protocol: ProtocolOptions;
  /** per-replica target; default from the protocol (quantile / replicas) */
  target?: number;
  /** pod start-up delays to sweep, seconds */
  startups: number[];
  /** policies by name; the first is the reference the others are matched to in cost */
  policies: string[];
  /** extra headroom levels run for every policy (the frontier) */
  headrooms: number[];
  model: string;
  plan: Omit<PlanSettings, 'leadTime'>;
  /** lead time in seconds; default start-up + one HPA sync + one scrape */
  leadTime?: number;
  refitInterval: number;
  fitWindow: number;
  hpa?: Partial<HpaConfig>;
  /** keep per-sync replicas and ready pods at this start-up (for the report) */
  recordStartup?: number;
}

export interface PolicyRun {
  policy: string;
  headroom: number;
  score: HpaScore;
}

export interface EqualCostRun extends PolicyRun {
  /** false when no headroom in the searched range reached the reference's cost */
  matched: boolean;
}

export interface StartupResult {
  startup: number;
  leadTime: number;
  /** each policy at headroom 0 and at every extra headroom level */
  runs: PolicyRun[];
  /** each other policy at the reference's replica-minutes */
  equalCost: EqualCostRun[];
  timelines?: { policy: string; timeline: HpaTimeline }[];
}

export interface ScaleSimResult {
  step: number;
  start: number;
  target: number;
  scoreFrom: number;
  load: Float64Array;
  reference: string;
  forecast?: { model: string; fits: number; fitFailures: number; fitSeconds: number };
  startups: StartupResult[];
}

/** The reference's under-provisioned minutes over another policy's at equal cost, +1 minute each (zeros stay finite). */
export function equalCostRatio(reference: HpaScore, other: HpaScore): number {
  return (reference.underProvisionedMinutes + 1) / (other.underProvisionedMinutes + 1);
}

async function forecastTrack(
  load: Float64Array,
  step: number,
  start: number,
  o: ScaleSimOptions,
): Promise<ForecastTrack> {
  const longest = Math.max(...o.startups.map((s) => o.leadTime ?? defaultLeadTime(step, s)));
  return replayForecasts(
    { step, start, slots: load.map((_, i) => i), values: load },
    {
      model: getModel(o.model)!,
      horizon: Math.max(1, leadSteps(longest, step)),
      levels: o.plan.level === undefined ? [] : [o.plan.level],
      fitWindow: Math.max(2, Math.round(o.fitWindow / step)),
      refitEvery: Math.max(1, Math.round(o.refitInterval / step)),
    },
  );
}

export async function runScaleSim(
  load: Float64Array,
  step: number,
  start: number,
  o: ScaleSimOptions,
): Promise<ScaleSimResult> {
  const policies = o.policies.map((name) => {
    const p = getPolicy(name);
    if (!p) throw new Error(`unknown policy "${name}"`);
    return p;
  });
  const work = traceWorkload(load, step, o.protocol, o.target);
  const track = policies.some((p) => p.needsForecast) ? await forecastTrack(load, step, start, o) : undefined;
  const reference = policies[0];
  const result: ScaleSimResult = {
    step,
    start,
    target: work.target,
    scoreFrom: work.scoreFrom,
    load,
    reference: reference.name,
    forecast: track
      ? { model: o.model, fits: track.fits, fitFailures: track.fitFailures, fitSeconds: track.fitSeconds }
      : undefined,
    startups: [],
  };
  for (const startup of o.startups) {
    const hpa: HpaConfig = { ...DEFAULT_HPA, ...o.hpa, startupDelay: startup };
    const leadTime = o.leadTime ?? defaultLeadTime(step, startup);
    const planner = plannerPolicy({ ...o.plan, leadTime }, step);
    const ctx: PolicyContext = { load, step, leadTime, forecasts: track, planner };
    const metrics = new Map(policies.map((p) => [p.name, p.metric(ctx)]));
    const runs: PolicyRun[] = [];
    for (const p of policies) {
      for (const headroom of [0, ...o.headrooms]) {
        runs.push({ policy: p.name, headroom, score: runWithHeadroom(work, metrics.get(p.name)!, hpa, headroom) });
      }
    }
    const cost = runs.find((r) => r.policy === reference.name && r.headroom === 0)!.score.replicaMinutes;
    const equalCost = policies.slice(1).map((p) => {
      const m = matchCost(work, metrics.get(p.name)!, hpa, cost);
      return { policy: p.name, headroom: m.headroom, score: m.score, matched: m.matched };
    });
    const timelines =
      startup === o.recordStartup
        ? policies.map((p) => ({
            policy: p.name,
            timeline: simulateHpa(work, metrics.get(p.name)!, hpa, true).timeline!,
          }))
        : undefined;
    result.startups.push({ startup, leadTime, runs, equalCost, timelines });
  }
  return result;
}
