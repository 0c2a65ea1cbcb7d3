import { describe, expect, it } from 'vitest';
import {
  confusion,
  incidentCounts,
  incidentScores,
  meanDetectionDelay,
  prAuc,
  precisionRecallF1,
  rocAuc,
  windowedScore,
} from './anomaly-metrics.js';

describe('anomaly metrics', () => {
  it('computes precision, recall and F1 from a confusion matrix', () => {
    const c = confusion([1, 1, 0, 0, 1], [1, 0, 1, 0, 1]);
    expect(c).toEqual({ tp: 2, fp: 1, fn: 1, tn: 1 });
    const m = precisionRecallF1(c);
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(2 / 3);
    expect(m.f1).toBeCloseTo(2 / 3);
  });
  it('ROC-AUC is the probability a positive outranks a negative (ties count half)', () => {
    expect(rocAuc([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBeCloseTo(0.5);
    expect(rocAuc([0.1, 0.9, 0.4, 0.3], [1, 0, 1, 0])).toBeCloseTo(0.25);
  });
  it('PR-AUC is average precision', () => {
    expect(prAuc([0.9, 0.8, 0.7], [1, 0, 1])).toBeCloseTo((1 + 2 / 3) / 2);
  });
  it('delay counts rows from window start to first detection', () => {
    expect(meanDetectionDelay([0, 0, 1, 0, 0, 0, 1], [0, 1, 1, 1, 0, 1, 1])).toBeCloseTo((1 + 1) / 2);
  });
  it('windowed score rewards early detections and penalises misses', () => {
    const labels = new Array(100).fill(0);
    for (let i = 50; i < 60; i++) labels[i] = 1;
    const early = new Array(100).fill(0);
    early[50] = 1;
    const late = new Array(100).fill(0);
    late[59] = 1;
    expect(windowedScore(early, labels).raw).toBeCloseTo(1, 6);
    // last row of a 10-row window: y = -0.1, A(y) / A(-1)
    const a = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;
    expect(windowedScore(late, labels).raw).toBeCloseTo(a(-0.1) / a(-1), 9);
    expect(windowedScore(new Array(100).fill(0), labels).raw).toBe(-1);
  });
  it('incident counts: a window caught by any row, an alert true when its run overlaps a window', () => {
    // windows rows 2-4 and 8-9; alerts rows 0-2 (overlaps), 6 (false), 9 (true)
    const labels = [0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0];
    const flags = [1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0];
    const c = incidentCounts(flags, labels);
    expect(c).toEqual({ windows: 2, caught: 2, alerts: 3, trueAlerts: 2 });
    const s = incidentScores(c);
    expect(s.precision).toBeCloseTo(2 / 3);
    expect(s.recall).toBe(1);
    expect(s.f1).toBeCloseTo(0.8);
  });
});
