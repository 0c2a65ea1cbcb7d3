import { describe, expect, it } from 'vitest';
import { DEFAULT_HPA, HpaController, proposeReplicas, simulateHpa, type Workload } from './hpa.js';

/** one bucket a minute, target 10 per replica, a replica serves 12.5 (utilisation 0.8), all scored */
const workload = (load: number[]): Workload => ({
  load: Float64Array.from(load),
  step: 60,
  target: 10,
  utilisation: 0.8,
  scoreFrom: 0,
});

describe('HPA model', () => {
  it('keeps the replicas inside the tolerance dead band and proposes ceil(metric / target) outside it', () => {
    expect(proposeReplicas(109, 10, 10, 0.1)).toBe(10); // ratio 1.09
    expect(proposeReplicas(109.9, 10, 10, 0.1)).toBe(10);
    expect(proposeReplicas(110.5, 10, 10, 0.1)).toBe(12);
    expect(proposeReplicas(91, 10, 10, 0.1)).toBe(10);
    expect(proposeReplicas(89, 10, 10, 0.1)).toBe(9);
    expect(proposeReplicas(NaN, 10, 10, 0.1)).toBe(10); // no metric: no change
  });

  it('scales up at most max(4 pods, 100%) per 15 s', () => {
    const hpa = new HpaController({ ...DEFAULT_HPA, startupDelay: 0 });
    expect(hpa.decide(0, 1, 1000, 10)).toBe(5); // 1 + 4 beats 1 * 2
    expect(hpa.decide(15, 5, 1000, 10)).toBe(10); // 5 * 2 beats 5 + 4
    expect(hpa.decide(30, 10, 1000, 10)).toBe(20);
    expect(hpa.decide(45, 20, 1000, 10)).toBe(40);
    expect(hpa.decide(60, 40, 1000, 10)).toBe(80);
    expect(hpa.decide(75, 80, 1000, 10)).toBe(100);
  });

  it('counts pods added earlier in the same scale-up period against the limit', () => {
    const hpa = new HpaController({ ...DEFAULT_HPA, scaleUpPeriod: 60 });
    expect(hpa.decide(0, 10, 1000, 10)).toBe(20);
    // 30 s later the period still started at 10 replicas: the limit stays 20
    expect(hpa.decide(30, 20, 1000, 10)).toBe(20);
    expect(hpa.decide(60, 20, 1000, 10)).toBe(40);
  });

  it('scales down only to the highest recommendation of the last 300 s', () => {
    const hpa = new HpaController(DEFAULT_HPA);
    expect(hpa.decide(0, 10, 100, 10)).toBe(10);
    let replicas = 10;
    const seen: number[] = [];
    for (let t = 15; t <= 330; t += 15) {
      replicas = hpa.decide(t, replicas, 20, 10); // load fell to 2 replicas' worth
      seen.push(replicas);
    }
    // the recommendation of 10 at t=0 holds the count until it leaves the window at t=300
    expect(seen.slice(0, 19).every((r) => r === 10)).toBe(true);
    expect(seen[19]).toBe(2); // t = 300: the t=0 recommendation is no longer newer than now - 300
  });

  it('never goes below min replicas or above max replicas', () => {
    const hpa = new HpaController({ ...DEFAULT_HPA, minReplicas: 2, maxReplicas: 6 });
    expect(hpa.decide(0, 4, 1000, 10)).toBe(6);
    const idle = new HpaController({ ...DEFAULT_HPA, minReplicas: 2, scaleDownStabilization: 0 });
    expect(idle.decide(0, 4, 0, 10)).toBe(2);
  });

  it('reads the last complete bucket, and new pods serve only after the start-up delay', () => {
    // 1 replica's worth for 2 minutes, then 5 replicas' worth
    const load = [10, 10, 50, 50, 50, 50];
    const run = (startupDelay: number) =>
      simulateHpa(workload(load), load, { ...DEFAULT_HPA, startupDelay }, true).timeline!;
    const ready0 = run(0);
    // bucket 2 (t = 120..180) is complete at t = 180; the sync at 180 scales to 5
    expect(ready0.replicas[11]).toBe(1); // t = 165
    expect(ready0.replicas[12]).toBe(5); // t = 180
    expect(ready0.ready[12]).toBe(5);
    const ready60 = run(60);
    expect(ready60.replicas[12]).toBe(5);
    expect(ready60.ready[12]).toBe(1);
    expect(ready60.ready[15]).toBe(1); // t = 225
    expect(ready60.ready[16]).toBe(5); // t = 240
  });

  it('scores under-provisioned minutes, unserved load, replica-minutes and scale events', () => {
    const load = [10, 10, 50, 50, 50, 50];
    const { score } = simulateHpa(workload(load), load, { ...DEFAULT_HPA, startupDelay: 60 });
    // one ready replica serves 12.5: short from t = 120 (load 50) until 5 are ready at t = 240
    expect(score.underProvisionedMinutes).toBe(2);
    expect(score.unservedShare).toBeCloseTo((2 * 60 * 37.5) / (60 * (10 + 10 + 4 * 50)), 10);
    // 1 replica for 3 minutes, 5 (starting or ready) for the last 3
    expect(score.replicaMinutes).toBe(3 + 15);
    expect(score.scaleEvents).toBe(1);
    expect(score.minutes).toBe(6);
  });

  it('splits the score inside a sync when pods become ready mid-interval', () => {
    const load = [10, 10, 50, 50, 50, 50];
    const { score } = simulateHpa(workload(load), load, { ...DEFAULT_HPA, startupDelay: 50 });
    // scaled at t = 180, ready at t = 230: short over [120, 230)
    expect(score.underProvisionedMinutes).toBeCloseTo(110 / 60, 10);
  });

  it('removes pods that are not ready yet first when scaling down', () => {
    // a burst proposes 10, then the load vanishes before the new pods are ready
    const load = [10, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const cfg = { ...DEFAULT_HPA, startupDelay: 600, scaleDownStabilization: 0 };
    const timeline = simulateHpa(workload(load), load, cfg, true).timeline!;
    expect(timeline.replicas[8]).toBe(5); // t = 120: 1 + 4
    expect(timeline.replicas[12]).toBe(1); // t = 180: back to the one ready replica
    expect(timeline.ready[12]).toBe(1);
  });

  it('leaves unscored buckets and gaps out of every figure', () => {
    const load = [1000, 1000, NaN, 10, 10];
    const w = { ...workload(load), scoreFrom: 1 };
    const { score } = simulateHpa(w, load, DEFAULT_HPA);
    expect(score.minutes).toBe(3);
  });
});
