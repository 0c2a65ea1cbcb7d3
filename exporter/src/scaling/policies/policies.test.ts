import { describe, expect, it } from 'vitest';
import { seasonalNaive } from '../../models/seasonal-naive.js';
import { replayForecasts } from '../forecast-replay.js';
import { POLICIES } from './index.js';
import { slidingMax } from './recent-max.js';
import type { PolicyContext } from './types.js';

/** two days at 1 minute: a daily burst at 10:00-10:10 on a base of 10 */
function twoDays(): Float64Array {
  return Float64Array.from({ length: 2880 }, (_, i) => (i % 1440 >= 600 && i % 1440 < 610 ? 100 : 10));
}

async function context(load: Float64Array): Promise<PolicyContext> {
  const forecasts = await replayForecasts(
    { step: 60, start: 0, slots: load.map((_, i) => i), values: load },
    { model: seasonalNaive, horizon: 5, levels: [0.9], fitWindow: 2880, refitEvery: 60 },
  );
  return { load, step: 60, leadTime: 135, forecasts, planner: {} };
}

describe('scaling policies', () => {
  it('every policy is causal: a bucket uses that bucket and earlier ones only', async () => {
    const load = twoDays();
    const cut = 1440 + 605;
    const full = await context(load);
    const truncated = await context(load.slice(0, cut));
    for (const [name, policy] of Object.entries(POLICIES)) {
      const a = policy.metric(full).slice(0, cut);
      const b = policy.metric(truncated);
      expect(Array.from(b), name).toEqual(Array.from(a));
    }
  });

  it('reactive is the load itself', async () => {
    const load = twoDays();
    expect(Array.from(POLICIES.reactive.metric(await context(load)))).toEqual(Array.from(load));
  });

  it('recent_max holds a burst for 30 minutes', () => {
    const x = [1, 5, 2, NaN, 3, 1, 1];
    expect(Array.from(slidingMax(x, 3))).toEqual([1, 5, 5, 5, 3, 3, 3]);
    const ctx = { load: twoDays(), step: 60, leadTime: 135 };
    const m = POLICIES.recent_max.metric(ctx);
    expect(m[609 + 29]).toBe(100);
    expect(m[609 + 30]).toBe(10);
  });

  it('day_ago raises the metric ahead of yesterday\u2019s burst', () => {
    const ctx = { load: twoDays(), step: 60, leadTime: 135 };
    const m = POLICIES.day_ago.metric(ctx);
    // on day two, from 5 minutes before 10:00 the next 5 minutes of yesterday include the burst
    expect(m[1440 + 594]).toBe(10);
    expect(m[1440 + 595]).toBe(100);
    // on day one there is no yesterday: the reactive trigger alone
    expect(m[595]).toBe(10);
  });

  it('predictive scales ahead of a burst its model expects, and never below the load', async () => {
    const ctx = await context(twoDays());
    const m = POLICIES.predictive.metric(ctx);
    // lead time 135 s = 3 steps: the seasonal model sees the burst 3 minutes ahead
    expect(m[1440 + 596]).toBeLessThan(20);
    expect(m[1440 + 597]).toBeGreaterThanOrEqual(100);
    for (let i = 0; i < m.length; i++) expect(m[i]).toBeGreaterThanOrEqual(ctx.load[i]);
  });
});
