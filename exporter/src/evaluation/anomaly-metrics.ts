/**
 * Point and window metrics for anomaly detectors: precision / recall / F1 on thresholded points,
 * ROC-AUC and PR-AUC on raw scores, mean detection delay per labelled window, and a windowed
 * score in the style of NAB (standard profile; the official scorer is shared/tools/nab_score.py),
 * and incident counts (was each labelled window caught, and how many alerts were false).
 * Pure functions over arrays.
 */

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function confusion(predicted: ArrayLike<boolean | number>, labels: ArrayLike<number>): Confusion {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const p = Boolean(predicted[i]);
    if (labels[i]) {
      if (p) c.tp++;
      else c.fn++;
    } else if (p) c.fp++;
    else c.tn++;
  }
  return c;
}

export function precisionRecallF1(c: Confusion): { precision: number; recall: number; f1: number } {
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** ROC curve points (fpr, tpr) from the highest threshold down, ties grouped */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): { fpr: number; tpr: number }[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i] ? 1 : 0;
  const neg = labels.length - pos;
  const points = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]]) tp++;
    else fp++;
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      points.push({ fpr: neg ? fp / neg : 0, tpr: pos ? tp / pos : 0 });
    }
  }
  return points;
}

/** area under the ROC curve (trapezoids over tied groups = Mann-Whitney with ties); NaN without both classes */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const curve = rocCurve(scores, labels);
  const last = curve[curve.length - 1];
  if (!(last.fpr > 0 && last.tpr > 0)) return NaN;
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    area += ((curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr)) / 2;
  }
  return area;
}

/** area under the precision-recall curve as average precision; NaN without positives */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i] ? 1 : 0;
  if (pos === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let area = 0;
  let lastRecall = 0;
  for (let k = 0; k < order.length; k++) {
    seen++;
    if (labels[order[k]]) tp++;
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      const recall = tp / pos;
      area += (recall - lastRecall) * (tp / seen);
      lastRecall = recall;
    }
  }
  return area;
}

/** contiguous runs of label 1 as [first, last] row indices */
export function labelledWindows(labels: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] && (i === 0 || !labels[i - 1])) out.push([i, i]);
    if (labels[i]) out[out.length - 1][1] = i;
  }
  return out;
}

export interface IncidentCounts {
  /** labelled windows, and those with at least one flagged row */
  windows: number;
  caught: number;
  /** alerts (runs of flagged rows), and those overlapping a labelled window */
  alerts: number;
  trueAlerts: number;
}

/**
 * What an on-call engineer sees: labels and alerts are both incidents, so one long window caught by
 * one alert is one hit, not a handful of true points among many missed ones.
 */
export function incidentCounts(predicted: ArrayLike<boolean | number>, labels: ArrayLike<number>): IncidentCounts {
  const windows = labelledWindows(labels);
  let caught = 0;
  for (const [a, b] of windows) {
    for (let i = a; i <= b; i++) {
      if (predicted[i]) {
        caught++;
        break;
      }
    }
  }
  let alerts = 0;
  let trueAlerts = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!predicted[i] || (i > 0 && predicted[i - 1])) continue;
    alerts++;
    let j = i;
    while (j < labels.length && predicted[j] && !labels[j]) j++;
    if (j < labels.length && predicted[j] && labels[j]) trueAlerts++;
  }
  return { windows: windows.length, caught, alerts, trueAlerts };
}

/** incident precision (true alerts / alerts), recall (caught / windows) and their F1 */
export function incidentScores(c: IncidentCounts): { precision: number; recall: number; f1: number } {
  const precision = c.alerts > 0 ? c.trueAlerts / c.alerts : 0;
  const recall = c.windows > 0 ? c.caught / c.windows : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** mean rows from a window's start to its first detection, over detected windows; NaN if none */
export function meanDetectionDelay(predicted: ArrayLike<boolean | number>, labels: ArrayLike<number>): number {
  const delays: number[] = [];
  for (const [a, b] of labelledWindows(labels)) {
    for (let i = a; i <= b; i++) {
      if (predicted[i]) {
        delays.push(i - a);
        break;
      }
    }
  }
  return delays.length ? delays.reduce((s, d) => s + d, 0) / delays.length : NaN;
}

function sigmoid(y: number): number {
  return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

export interface WindowedScore {
  /** raw score: sum of window rewards and FP penalties */
  raw: number;
  /** raw score of a detector that never fires */
  nullScore: number;
  /** raw score of a perfect detector */
  perfect: number;
}

/**
 * NAB-style windowed score (standard weights TP 1, FP 0.11, FN 1): the earliest detection in a
 * window earns a scaled sigmoid of its position, a missed window costs 1, detections outside
 * windows cost more the further they are from the preceding window. The first 15% of rows
 * (probation) are not scored.
 */
export function windowedScore(predicted: ArrayLike<boolean | number>, labels: ArrayLike<number>): WindowedScore {
  const n = labels.length;
  const probation = Math.min(Math.floor(0.15 * n), 750);
  const windows = labelledWindows(labels);
  const a1 = sigmoid(-1);
  let raw = 0;
  let scored = 0;
  for (const [a, b] of windows) {
    if (b < probation) continue;
    scored++;
    const width = b - a + 1;
    let reward = -1;
    for (let i = Math.max(a, probation); i <= b; i++) {
      if (predicted[i]) {
        reward = sigmoid(-(b - i + 1) / width) / a1;
        break;
      }
    }
    raw += reward;
  }
  let w = -1;
  for (let i = probation; i < n; i++) {
    while (w + 1 < windows.length && windows[w + 1][0] <= i) w++;
    if (!predicted[i] || labels[i]) continue;
    const prev = w >= 0 ? windows[w] : undefined;
    const penalty = prev ? sigmoid((i - prev[1]) / Math.max(1, prev[1] - prev[0])) : -1;
    raw += 0.11 * penalty;
  }
  return { raw, nullScore: -scored, perfect: windows.length };
}

/** normalise summed windowed scores: 0 = never fires, 100 = perfect */
export function normalisedWindowedScore(parts: WindowedScore[]): number {
  const raw = parts.reduce((s, p) => s + p.raw, 0);
  const nul = parts.reduce((s, p) => s + p.nullScore, 0);
  const perfect = parts.reduce((s, p) => s + p.perfect, 0);
  return perfect - nul > 0 ? (100 * (raw - nul)) / (perfect - nul) : NaN;
}
