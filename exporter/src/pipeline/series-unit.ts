/**
 * One label set of one config entry, and everything done for it: its history, its anomaly scorer,
 * its model (fit bookkeeping, updates, forecasts, a fallback when the model misbehaves), its live
 * accuracy, and the record it publishes. The unit is also the failure boundary: a stage that
 * throws is reported once, and the series is skipped until its next refit while every other
 * series goes on.
 */
import type { SeriesConfig } from '../config/schema.js';
import { getDetector } from '../detectors/index.js';
import type { Detection, SeriesScorer } from '../detectors/types.js';
import { getModel } from '../models/index.js';
import { isEntryModel, type FittedModel, type ForecastResult } from '../models/types.js';
import type { Labels } from '../sources/types.js';
import type { EntryRenderer } from '../store/exposition.js';
import type { ForecastPath, SeriesRecord } from '../store/record.js';
import type { SampleDropReason, SeriesStage } from '../vocabulary.js';
import { AccuracyTracker } from './accuracy.js';
import type { AnomalyEvent } from './anomaly-log.js';
import { History } from './history.js';
import type { StoredModel } from './model-store.js';
import { ViewMemory } from './view-memory.js';
import { seriesKey } from './series-key.js';
import { finiteForecast, ServedModel, type FitOutcome } from './served-model.js';
import { anomalyEvent, copyForecastPath, forecastPath } from './unit-outputs.js';

export { servingModelName } from './served-model.js';

/** What a unit reports upwards; the worker turns these into self-metrics and logs. */
export interface UnitEvents {
  anomaly(event: AnomalyEvent): void;
  /** a stage threw or misbehaved; the unit has already decided what to do about it */
  error(key: string, stage: SeriesStage, message: string): void;
  dropped(reason: SampleDropReason, count: number): void;
  /** the requested model failed at a fit and `served` serves instead (or, with undefined, again serves) */
  fellBack(key: string, requested: string, served: string | undefined, reason?: string): void;
}

export class SeriesUnit {
  readonly key: string;
  readonly history: History;
  /** the base label text every output line starts with, computed once */
  private readonly base: string;
  private scorer: SeriesScorer;
  private readonly accuracy: AccuracyTracker;
  /** the model, its fit bookkeeping and its band calibration */
  readonly served: ServedModel;
  private readonly view: ViewMemory;
  private readonly maxSteps: number;
  /** the entry's model is fitted across all its label sets at once (pipeline/entry-fit.ts) */
  readonly entryModel: boolean;

  simulated: boolean;
  /** timestamp of the last point the scorer has seen */
  scoredT = -Infinity;
  /** the stage that failed, while the series is suspended until its next refit */
  suspended?: SeriesStage;
  /** more history is on its way (first load in chunks): do not fit yet */
  loading = false;

  private forecast?: ForecastPath;
  private forecastAt?: number;
  /** a new model must forecast even if the origin has not moved */
  private reforecast = false;
  private detection?: Detection;
  private dirty = true;
  private published = false;

  constructor(
    readonly entry: SeriesConfig,
    readonly labels: Labels,
    private readonly renderer: EntryRenderer,
    simulated: boolean,
    private readonly events: UnitEvents,
    /** known incidents of this series (`anomaly_labels`), for detectors that learn from them */
    private readonly incidents?: ReadonlyArray<[number, number]>,
  ) {
    this.key = seriesKey(entry.name, labels);
    this.simulated = simulated;
    this.base = renderer.baseLabels(labels);
    this.history = new History(entry.step, Math.max(2, Math.ceil(entry.lookback / entry.step)));
    this.scorer = this.createScorer();
    this.accuracy = new AccuracyTracker(entry.horizons, entry.levels, entry.step);
    this.served = new ServedModel(entry, this.key);
    this.view = new ViewMemory(entry.horizons, entry.levels, entry.step);
    this.maxSteps = Math.max(...entry.horizons.map((h) => Math.max(1, Math.round(h / entry.step))));
    this.entryModel = isEntryModel(getModel(entry.model)!);
  }

  get model(): FittedModel | undefined {
    return this.served.model;
  }

  get fitting(): boolean {
    return this.served.fitting;
  }

  get lastFit(): number {
    return this.served.lastFit;
  }

  /** clock time the next fit is due */
  get fitDue(): number {
    return this.served.fitDue;
  }

  set fitDue(t: number) {
    this.served.fitDue = t;
  }

  private createScorer(): SeriesScorer {
    const e = this.entry;
    const seasonLengths = e.seasonality.map((s) => Math.round(s / e.step));
    return getDetector(e.detector)!.create({
      step: e.step,
      seasonLengths: seasonLengths.length ? seasonLengths : undefined,
      threshold: e.anomaly_threshold,
      labels: this.incidents,
    });
  }

  /** points appended but not yet scored */
  get unscored(): number {
    if (this.history.length === 0) return 0;
    if (!Number.isFinite(this.scoredT)) return this.history.length;
    return Math.max(0, Math.round((this.history.lastT - this.scoredT) / this.entry.step));
  }

  /** Try to restore a model saved by an earlier run; false when it cannot serve (then it is refitted). */
  restore(stored: StoredModel, now: number): boolean {
    try {
      return this.served.restore(stored, now);
    } catch (err) {
      this.events.error(this.key, 'restore', (err as Error).message);
      return false;
    }
  }

  /**
   * Append points newer than the last one, filling skipped grid slots with NaN; NaN and infinite
   * samples become gaps and are counted. A gap longer than the history restarts the series.
   */
  append(timestamps: ArrayLike<number>, values: ArrayLike<number>): number {
    const step = this.entry.step;
    let added = 0;
    let nan = 0;
    let inf = 0;
    for (let i = 0; i < timestamps.length; i++) {
      const t = Math.round(timestamps[i] / step) * step;
      if (t <= this.history.lastT) continue;
      let v = values[i];
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) {
        inf++;
        v = NaN;
      }
      if (this.history.length > 0) {
        const missing = Math.round((t - this.history.lastT) / step) - 1;
        if (missing >= this.history.capacity) this.restart();
        else for (let k = 1; k <= missing; k++) this.history.push(this.history.lastT + step, NaN);
      }
      this.history.push(t, v);
      this.accuracy.observe(t, v);
      if (Number.isFinite(v)) this.served.calibration.observe(t, v);
      added++;
    }
    if (nan > 0) this.events.dropped('nan', nan);
    if (inf > 0) this.events.dropped('inf', inf);
    if (added > 0) this.dirty = true;
    return added;
  }

  /**
   * History older than what the unit holds, loaded after the newest part (pipeline's first load):
   * the detector starts again from the oldest point, and a model fitted on the newest part alone is
   * refitted on the whole once the load is complete (a restored one was fitted on a whole history).
   */
  prependOlder(timestamps: ArrayLike<number>, values: ArrayLike<number>): number {
    const written = this.history.writeOlder(timestamps, values);
    if (written === 0) return 0;
    this.loading = true;
    // the detector starts again from the oldest point, once (a long load comes in many chunks)
    if (Number.isFinite(this.scoredT)) {
      this.scorer = this.createScorer();
      this.scoredT = -Infinity;
    }
    if (!this.served.restored) {
      this.served.fitDue = -Infinity;
      this.served.refitAfterFit = this.served.fitting;
    }
    return written;
  }

  private restart(): void {
    this.history.clear();
    this.served.reset();
    this.scoredT = -Infinity;
    this.forecast = undefined;
    this.scorer = this.createScorer();
  }

  /** Score up to `budget` unscored points, oldest first; returns how many were scored. */
  score(budget = Infinity): number {
    if (this.suspended) return 0;
    const h = this.history;
    // a scorer that fell behind the history's start begins at the start (it sees a time gap)
    let i = Number.isFinite(this.scoredT) ? Math.max(0, Math.round((this.scoredT - h.start) / this.entry.step) + 1) : 0;
    let n = 0;
    try {
      for (; i < h.length && n < budget; i++, n++) {
        const t = h.start + i * this.entry.step;
        const v = h.at(i);
        const was = this.detection?.isAnomaly ?? false;
        const d = this.scorer.score(t, v);
        this.scoredT = t;
        this.detection = d;
        if (d.isAnomaly) {
          this.view.recordAnomaly(t, d.score, d.severity);
          if (!was) this.events.anomaly(anomalyEvent(this.entry, this.labels, this.served.servingName, t, v, d));
        }
      }
    } catch (err) {
      this.fail('score', err);
    }
    if (n > 0) this.dirty = true;
    return n;
  }

  /** Feed the model the points it has not seen and forecast from the newest one. */
  async advance(now: number): Promise<void> {
    const served = this.served;
    if (this.suspended || !served.model) return;
    const lastT = this.history.lastT;
    if (lastT > served.modelT) {
      try {
        served.model.update(this.history.after(served.modelT));
        served.modelT = lastT;
      } catch (err) {
        return this.fail('update', err);
      }
    }
    if (this.forecast?.origin === lastT && !this.reforecast) return;
    let result: ForecastResult;
    try {
      result = served.model.forecast(this.maxSteps, this.entry.levels);
    } catch (err) {
      return this.fail('forecast', err);
    }
    if (!finiteForecast(result)) {
      // a model that overflowed serves nothing useful: say so, serve the fallback, refit at once
      this.events.error(this.key, 'forecast', `${served.model.name} forecast non-finite values; serving the fallback`);
      await this.useFallback(now);
      if (!served.model) return;
      result = served.model.forecast(this.maxSteps, this.entry.levels);
    }
    // the bands served are the model's, corrected by how well this series' bands have covered
    served.calibration.record(lastT, result);
    this.publishForecast(served.calibration.adjust(result), lastT, now);
  }

  private publishForecast(result: ForecastResult, origin: number, now: number): void {
    const f = forecastPath(result, origin, this.entry.step);
    const lower = f.intervals.map((iv) => iv.lower);
    const upper = f.intervals.map((iv) => iv.upper);
    this.accuracy.record(origin, f.point, lower, upper);
    this.view.recordForecast(origin, f.point, lower, upper);
    this.forecast = f;
    this.forecastAt = now;
    this.reforecast = false;
    this.dirty = true;
  }

  /** The last value with its own bands, fitted inline (microseconds), until the refit lands. */
  async useFallback(now: number): Promise<void> {
    try {
      await this.served.serveLastValue(this.input(), this.history.lastT, now, this.entryModel);
      this.reforecast = true;
    } catch (err) {
      this.served.model = undefined;
      this.fail('forecast', err);
    }
  }

  private input() {
    return { values: this.history.slice(), start: this.history.start, step: this.entry.step };
  }

  /** What an entry-wide fit trains on for this series. */
  trainingInput(): { values: Float64Array; start: number; step: number; lastT: number } {
    return { ...this.input(), lastT: this.history.lastT };
  }

  /** Serve a model fitted for the whole entry on the history up to `fitT`. */
  install(model: FittedModel, fitT: number, now: number): void {
    this.served.install(model, fitT, now);
    this.suspended = undefined;
    this.reforecast = true;
    this.dirty = true;
  }

  /** Fit a new model on the history (called off the scrape path: in a worker thread). */
  async fit(now: number): Promise<FitOutcome | undefined> {
    const wasFallback = this.served.fellBackFrom;
    let outcome: FitOutcome;
    try {
      outcome = await this.served.fit(this.input(), this.history.lastT, now);
    } catch (err) {
      this.events.error(this.key, 'fit', (err as Error).message);
      return undefined;
    }
    // told when it changes, so a series that falls back (or recovers) is counted once
    if (outcome.fellBackFrom !== wasFallback) {
      this.events.fellBack(
        this.key,
        this.entry.model,
        outcome.fellBackFrom ? outcome.model : undefined,
        outcome.reason,
      );
    }
    if (this.suspended) {
      // a fresh start for the stage that failed
      if (this.suspended === 'score') this.scorer = this.createScorer();
      this.suspended = undefined;
    }
    this.reforecast = true;
    this.dirty = true;
    return outcome;
  }

  private fail(stage: SeriesStage, err: unknown): void {
    this.suspended = stage;
    this.dirty = true;
    this.events.error(this.key, stage, (err as Error)?.message ?? String(err));
  }

  /** the model to save after a fit */
  stored(): StoredModel | undefined {
    return this.served.stored();
  }

  /**
   * True when something a reader sees changed since the last record. While its history loads, a
   * series publishes once (readers count it) and then waits for the load: a record per chunk
   * would be dozens of renders and copies that nobody reads.
   */
  get changed(): boolean {
    return this.dirty && !(this.loading && this.published);
  }

  /** An immutable snapshot for the store, with its exposition lines rendered. */
  record(): SeriesRecord {
    this.dirty = false;
    this.published = true;
    const d = this.detection;
    const f = this.forecast;
    const state = {
      lastT: Number.isFinite(this.history.lastT) ? this.history.lastT : NaN,
      lastValue: this.history.lastFinite(),
      // the record owns copies: records cross threads and their buffers are handed over
      forecast: f && copyForecastPath(f),
      detection: d ? { score: d.score, isAnomaly: d.isAnomaly, severity: d.severity } : undefined,
      model: this.served.model
        ? {
            name: this.served.servingName!,
            requested: this.entry.model,
            description: this.served.description,
            lastFit: this.served.lastFit,
          }
        : undefined,
      accuracy: this.accuracy.summary(),
    };
    const { exposition, offsets } = this.renderer.render(this.base, state);
    return {
      key: this.key,
      entry: this.entry.name,
      labels: this.labels,
      step: this.entry.step,
      simulated: this.simulated,
      ...state,
      forecastAt: this.forecastAt,
      exposition,
      offsets,
    };
  }

  /** What the built-in view draws for this series beyond the record. */
  detail(maxPoints: number) {
    const h = this.history;
    const from = Math.max(0, h.length - maxPoints);
    const actual: Array<[number, number]> = [];
    for (let i = from; i < h.length; i++) actual.push([h.start + i * this.entry.step, h.at(i)]);
    return { actual, pastForecasts: this.view.pastForecasts(), anomalies: this.view.anomalies() };
  }
}
