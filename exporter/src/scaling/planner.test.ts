import { describe, expect, it } from 'vitest';
import {
  checkPolicy,
  desiredReplicas,
  leadSteps,
  planScaleMetric,
  PlannerError,
  type PlannerInput,
} from './planner.js';

/** point forecast 100, 100, 300, 100, 900 with an 80% band of +-10% and a 95% band of +-20% */
const input = (observed = 100): PlannerInput => {
  const point = [100, 100, 300, 100, 900];
  return {
    observed,
    step: 60,
    forecast: {
      point,
      intervals: [
        { level: 0.8, lower: point.map((p) => p * 0.9), upper: point.map((p) => p * 1.1) },
        { level: 0.95, lower: point.map((p) => p * 0.8), upper: point.map((p) => p * 1.2) },
      ],
    },
  };
};

describe('capacity planner', () => {
  it('counts a partial step inside the lead window as a whole one', () => {
    expect(leadSteps(0, 60)).toBe(0);
    expect(leadSteps(60, 60)).toBe(1);
    expect(leadSteps(61, 60)).toBe(2);
    expect(leadSteps(135, 60)).toBe(3);
    expect(leadSteps(300, 300)).toBe(1);
  });

  it('takes the peak of the point forecast over the lead window, not the value at its end', () => {
    // a spike at step 3 of a 4-step window: a one-point lookup at the end would read 100
    expect(planScaleMetric(input(), { leadTime: 240 }).value).toBe(300);
    expect(planScaleMetric(input(), { leadTime: 120 }).value).toBe(100);
    expect(planScaleMetric(input(), { leadTime: 300 }).value).toBe(900);
  });

  it('reads the upper bound of the chosen band', () => {
    expect(planScaleMetric(input(), { leadTime: 180, level: 0.8 }).value).toBeCloseTo(330);
    expect(planScaleMetric(input(), { leadTime: 180, level: 0.95 }).value).toBeCloseTo(360);
    expect(() => planScaleMetric(input(), { leadTime: 180, level: 0.5 })).toThrow(/no band at level 0.5/);
  });

  it('never goes below the load observed now', () => {
    const plan = planScaleMetric(input(500), { leadTime: 180 });
    expect(plan.value).toBe(500);
    expect(plan.peak).toBe(300);
  });

  it('applies headroom to the larger of the observation and the peak', () => {
    expect(planScaleMetric(input(), { leadTime: 180, headroom: 0.25 }).value).toBe(375);
    expect(planScaleMetric(input(400), { leadTime: 180, headroom: 0.25 }).value).toBe(500);
  });

  it('falls back to the observation without a forecast, and to the forecast without an observation', () => {
    expect(planScaleMetric({ observed: 70, step: 60 }, { leadTime: 300, headroom: 0.1 }).value).toBeCloseTo(77);
    expect(planScaleMetric(input(NaN), { leadTime: 180 }).value).toBe(300);
    expect(planScaleMetric({ observed: NaN, step: 60 }, { leadTime: 300, min: 5 }).value).toBeNaN();
  });

  it('skips gaps in the forecast and reports steps the forecast did not cover', () => {
    const gappy: PlannerInput = { observed: 10, step: 60, forecast: { point: [NaN, 40, NaN], intervals: [] } };
    const plan = planScaleMetric(gappy, { leadTime: 600 });
    expect(plan.value).toBe(40);
    expect(plan.leadSteps).toBe(10);
    expect(plan.missingSteps).toBe(7);
  });

  it('with a zero lead time uses only the observation', () => {
    expect(planScaleMetric(input(50), { leadTime: 0 }).value).toBe(50);
  });

  it('limits the step up and down relative to the previous value', () => {
    const up = planScaleMetric(input(), { leadTime: 300, maxStepUp: 2 }, 200);
    expect(up).toMatchObject({ value: 400, limitedBy: 'step_up' });
    const down = planScaleMetric(input(), { leadTime: 60, maxStepDown: 0.25 }, 1000);
    expect(down).toMatchObject({ value: 750, limitedBy: 'step_down' });
    // no previous value (first call, or after a restart): no step limit
    expect(planScaleMetric(input(), { leadTime: 300, maxStepUp: 2 }).value).toBe(900);
  });

  it('applies min and max last, so the bounds always hold', () => {
    expect(planScaleMetric(input(), { leadTime: 300, max: 500 })).toMatchObject({ value: 500, limitedBy: 'max' });
    expect(planScaleMetric(input(), { leadTime: 60, min: 150 })).toMatchObject({ value: 150, limitedBy: 'min' });
    expect(planScaleMetric(input(), { leadTime: 300, maxStepUp: 2, max: 300 }, 200).value).toBe(300);
  });

  it('is the AverageValue metric: desired replicas are ceil(metric / target)', () => {
    expect(desiredReplicas(330, 100)).toBe(4);
    expect(desiredReplicas(300, 100)).toBe(3);
  });

  it('rejects a bad policy naming the field', () => {
    const bad = [
      [{ leadTime: -1 }, 'leadTime'],
      [{ leadTime: 60, level: 95 }, 'level'],
      [{ leadTime: 60, headroom: -0.1 }, 'headroom'],
      [{ leadTime: 60, min: 10, max: 5 }, 'max'],
      [{ leadTime: 60, maxStepUp: 0.5 }, 'maxStepUp'],
      [{ leadTime: 60, maxStepDown: 1.5 }, 'maxStepDown'],
    ] as const;
    for (const [policy, key] of bad) {
      let caught: unknown;
      try {
        checkPolicy(policy);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(PlannerError);
      expect((caught as PlannerError).key).toBe(key);
    }
    expect(() =>
      checkPolicy({ leadTime: 135, level: 0.8, headroom: 0.1, min: 0, max: 10, maxStepUp: 2, maxStepDown: 0.5 }),
    ).not.toThrow();
  });
});
