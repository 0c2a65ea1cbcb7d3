/**
 * Replays labelled files through detectors causally (the same scorer the live exporter uses) and
 * computes every metric per file and overall. Shared by `cloudpulse evaluate` and the benchmark.
 */
import type { DetectorFactory } from '../detectors/types.js';
import type { CsvRow } from '../series/csv.js';
import {
  confusion,
  incidentCounts,
  incidentScores,
  type IncidentCounts,
  meanDetectionDelay,
  normalisedWindowedScore,
  prAuc,
  precisionRecallF1,
  rocAuc,
  windowedScore,
  type WindowedScore,
} from './anomaly-metrics.js';
import { typicalStep, type Window } from './nab-layout.js';

export interface Replay {
  scores: Float64Array;
  flags: Uint8Array;
  /** microseconds per point, fits included */
  microsPerPoint: number;
}

/**
 * Scores `rows` in order with a new scorer. `labels` (known incidents, unix seconds) are handed to
 * the detector; one that learns from them uses a window only once it has ended.
 */
export async function replay(
  detector: DetectorFactory,
  rows: CsvRow[],
  threshold?: number,
  labels?: readonly Window[],
): Promise<Replay> {
  const scorer = detector.create({ step: typicalStep(rows), threshold, seed: 1, labels });
  const scores = new Float64Array(rows.length);
  const flags = new Uint8Array(rows.length);
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i++) {
    const d = scorer.score(rows[i].t, rows[i].v);
    scores[i] = d.score;
    flags[i] = d.isAnomaly ? 1 : 0;
    const wait = scorer.pending?.();
    if (wait) await wait;
  }
  const micros = Number(process.hrtime.bigint() - started) / 1e3;
  return { scores, flags, microsPerPoint: micros / Math.max(1, rows.length) };
}

export interface FileMetrics {
  key: string;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  prAuc: number;
  delay: number;
  windowed: WindowedScore;
  incidents: IncidentCounts;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function fileMetrics(key: string, r: Replay, labels: Uint8Array): FileMetrics {
  const c = confusion(r.flags, labels);
  return {
    key,
    ...precisionRecallF1(c),
    ...c,
    rocAuc: rocAuc(r.scores, labels),
    prAuc: prAuc(r.scores, labels),
    delay: meanDetectionDelay(r.flags, labels),
    windowed: windowedScore(r.flags, labels),
    incidents: incidentCounts(r.flags, labels),
  };
}

/** overall figures: pooled confusion, mean of the per-file AUCs that exist, normalised windowed score */
export function overallMetrics(files: FileMetrics[]) {
  const c = files.reduce((s, f) => ({ tp: s.tp + f.tp, fp: s.fp + f.fp, fn: s.fn + f.fn, tn: s.tn + f.tn }), {
    tp: 0,
    fp: 0,
    fn: 0,
    tn: 0,
  });
  const mean = (xs: number[]) => {
    const ok = xs.filter(Number.isFinite);
    return ok.length ? ok.reduce((s, x) => s + x, 0) / ok.length : NaN;
  };
  const incidents = files.reduce(
    (s, f) => ({
      windows: s.windows + f.incidents.windows,
      caught: s.caught + f.incidents.caught,
      alerts: s.alerts + f.incidents.alerts,
      trueAlerts: s.trueAlerts + f.incidents.trueAlerts,
    }),
    { windows: 0, caught: 0, alerts: 0, trueAlerts: 0 },
  );
  return {
    ...precisionRecallF1(c),
    ...c,
    incidents: { ...incidents, ...incidentScores(incidents) },
    rocAuc: mean(files.map((f) => f.rocAuc)),
    prAuc: mean(files.map((f) => f.prAuc)),
    delay: mean(files.map((f) => f.delay)),
    windowedScore: normalisedWindowedScore(files.map((f) => f.windowed)),
  };
}
