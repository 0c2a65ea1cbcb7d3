/**
 * Everything the exporter knows about one label set of one config entry: its recent history on
 * a regular grid, the fitted model, the latest forecast, anomaly state and live accuracy. The
 * metrics layer and the JSON API read these at request time; nothing is pushed on timers.
 */
import type { SeriesConfig } from '../config/schema.js';
import type { Detection, SeriesScorer } from '../detectors/types.js';
import type { FittedModel, ForecastResult } from '../models/types.js';
import type { Labels } from '../sources/types.js';
import { AccuracyTracker } from './accuracy.js';

export interface HorizonForecast {
  /** seconds */
  horizon: number;
  yhat: number;
  /** [lower, upper] per level, in the entry's level order */
  bands: Array<[number, number]>;
}

export interface LatestForecast {
  /** time of the last observation the forecast starts from */
  origin: number;
  step: number;
  result: ForecastResult;
  byHorizon: HorizonForecast[];
}

/** bounded history of what the exporter served, for the built-in view */
const VIEW_MEMORY = 600;

export class SeriesState {
  readonly key: string;
  /** grid values, values[i] at start + i*step; NaN for gaps */
  values: number[] = [];
  start = NaN;
  lastT = -Infinity;
  /** clock time (unix seconds) the source last returned this label set */
  lastSeen = 0;
  simulated: boolean;

  model?: FittedModel;
  /** timestamp of the last point the model has absorbed */
  modelT = -Infinity;
  lastFit = -Infinity;
  fitPending = false;
  fitFailures = 0;

  forecast?: LatestForecast;
  detection?: Detection;
  readonly accuracy: AccuracyTracker;
  /** [targetTime, yhat, bands] per horizon, for drawing past bands */
  readonly pastForecasts: Array<Array<[number, number, Array<[number, number]>]>>;
  readonly anomalies: Array<[number, number, number]> = [];

  constructor(
    readonly entry: SeriesConfig,
    readonly labels: Labels,
    readonly step: number,
    readonly scorer: SeriesScorer,
    simulated: boolean,
  ) {
    this.key = seriesKey(entry.name, labels);
    this.simulated = simulated;
    this.accuracy = new AccuracyTracker(entry.horizons, entry.levels);
    this.pastForecasts = entry.horizons.map(() => []);
  }

  get maxPoints(): number {
    return Math.max(2, Math.ceil(this.entry.lookback / this.step));
  }

  get lastValue(): number {
    for (let i = this.values.length - 1; i >= 0; i--) if (Number.isFinite(this.values[i])) return this.values[i];
    return NaN;
  }

  /**
   * Append points newer than the last one, filling skipped grid slots with NaN. Returns the
   * appended slots as [t, v] pairs (gaps included, so a detector sees time pass).
   */
  append(timestamps: number[], values: number[]): Array<[number, number]> {
    const added: Array<[number, number]> = [];
    for (let i = 0; i < timestamps.length; i++) {
      const t = Math.round(timestamps[i] / this.step) * this.step;
      if (t <= this.lastT) continue;
      if (Number.isFinite(this.lastT)) {
        // a long outage resets the history rather than filling it with a wall of NaN
        const missing = Math.round((t - this.lastT) / this.step) - 1;
        if (missing > this.maxPoints) this.reset();
        else
          for (let k = 1; k <= missing; k++) {
            const gapT = this.lastT + k * this.step;
            this.values.push(NaN);
            added.push([gapT, NaN]);
          }
      }
      if (this.values.length === 0) this.start = t;
      this.values.push(values[i]);
      this.lastT = t;
      added.push([t, values[i]]);
    }
    // trim in batches so appends stay O(1) amortised
    if (this.values.length > this.maxPoints * 1.25) {
      const drop = this.values.length - this.maxPoints;
      this.values.splice(0, drop);
      this.start += drop * this.step;
    }
    return added;
  }

  private reset(): void {
    this.values = [];
    this.start = NaN;
    this.lastT = -Infinity;
    this.model = undefined;
    this.modelT = -Infinity;
    this.lastFit = -Infinity;
  }

  /** values after time `t` (exclusive), for updating a model fitted up to `t` */
  valuesAfter(t: number): number[] {
    if (!Number.isFinite(t)) return [...this.values];
    const from = Math.round((t - this.start) / this.step) + 1;
    return this.values.slice(Math.max(0, from));
  }

  recordForecast(f: LatestForecast): void {
    this.forecast = f;
    this.accuracy.record(
      f.origin,
      f.byHorizon.map((h) => ({ yhat: h.yhat, bands: h.bands })),
    );
    f.byHorizon.forEach((h, i) => {
      const past = this.pastForecasts[i];
      const target = f.origin + h.horizon;
      if (past.length > 0 && past[past.length - 1][0] === target) past.pop();
      past.push([target, h.yhat, h.bands]);
      if (past.length > VIEW_MEMORY) past.shift();
    });
  }

  recordDetection(t: number, d: Detection): void {
    this.detection = d;
    if (d.isAnomaly) {
      this.anomalies.push([t, d.score, d.severity]);
      if (this.anomalies.length > VIEW_MEMORY) this.anomalies.shift();
    }
  }
}

/** `name{a="1",b="2"}` with labels sorted: stable identity of a series across cycles. */
export function seriesKey(name: string, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}
