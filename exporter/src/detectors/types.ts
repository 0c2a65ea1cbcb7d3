/**
 * Streaming anomaly detectors. A detector creates one scorer per series; the scorer sees points
 * strictly in time order and scores each from what came before it (causal), so the offline
 * `cloudpulse detect` replay and the live exporter share one code path.
 */

export const SEVERITY = { none: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
export type Severity = (typeof SEVERITY)[keyof typeof SEVERITY];
export const SEVERITY_NAMES = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

export interface Detection {
  /** anomaly score in [0,1] */
  score: number;
  /** thresholded, with hysteresis */
  isAnomaly: boolean;
  /** 0 none .. 4 critical */
  severity: Severity;
  /** what the model expected for this point, when it has one */
  expected?: number;
  lower?: number;
  upper?: number;
}

export interface ScorerOptions {
  /** grid step in seconds */
  step: number;
  /** known season lengths in steps, if any */
  seasonLengths?: number[];
  /** score threshold for isAnomaly */
  threshold?: number;
  seed?: number;
  /**
   * known incidents of this series, [start, end] in unix seconds (from a labels file); a detector
   * that learns from labels (random_forest) uses a window only once it has ended
   */
  labels?: readonly (readonly [number, number])[];
}

export interface SeriesScorer {
  /** score the next point (unix seconds, value; NaN = missing) */
  score(timestamp: number, value: number): Detection;
  /** a JSON summary of the scorer, for diagnostics (or its state, when the factory can restore it) */
  toJSON(): unknown;
  /** a background model fit in progress, if any: offline replays await it to stay deterministic */
  pending?(): Promise<void> | undefined;
}

export interface DetectorFactory {
  readonly name: string;
  readonly summary: string;
  create(options: ScorerOptions): SeriesScorer;
  restore?(state: unknown, options: ScorerOptions): SeriesScorer;
  /** why this detector cannot run in this installation (an optional package missing), else undefined */
  unavailable?(): string | undefined;
}
