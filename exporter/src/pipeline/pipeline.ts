/**
 * The scheduler: each interval it fetches new points for every config entry (only what is new
 * after the first load), scores each new point, updates models, refits them on worker threads
 * when due, and forecasts. A failing query or model never stops the cycle: it is counted, logged
 * and the last good forecasts keep being served.
 */
import type { Config, SeriesConfig } from '../config/schema.js';
import { getDetector } from '../detectors/index.js';
import { SEVERITY_NAMES } from '../detectors/types.js';
import { getModel } from '../models/index.js';
import type { Source, SourceSeries } from '../sources/types.js';
import { SourceError } from '../sources/types.js';
import type { Logger } from '../util/logger.js';
import type { AnomalyLog } from './anomaly-log.js';
import type { Fitter } from './fitter.js';
import { forecastHorizons } from './forecasting.js';
import type { ModelStore, StoredModel } from './model-store.js';
import { SeriesState, seriesKey } from './series-state.js';

/** What the pipeline reports to self-monitoring; the metrics layer implements it. */
export interface PipelineInstruments {
  queryDuration(series: string, seconds: number): void;
  queryError(series: string, reason: string): void;
  fitDuration(series: string, model: string, seconds: number): void;
  fitError(series: string, model: string): void;
  seriesDropped(series: string, count: number): void;
  anomalyEvent(series: string, severity: string): void;
  cycle(seconds: number): void;
}

export interface EntryStatus {
  up: boolean;
  simulated: boolean;
  lastSuccess: number;
  /** next query starts after this timestamp, per source kind */
  cursor: Map<string, number>;
}

export interface PipelineOptions {
  config: Config;
  /** the configured Prometheus-compatible source, if any */
  source?: Source;
  simulation: Source;
  fitter: Fitter;
  /** unix milliseconds; the simulation may run faster than real time */
  clock: () => number;
  logger: Logger;
  instruments: PipelineInstruments;
  anomalyLog?: AnomalyLog;
  modelStore?: ModelStore;
}

export class Pipeline {
  readonly series = new Map<string, SeriesState>();
  readonly status = new Map<string, EntryStatus>();
  private readonly pendingFits = new Set<Promise<void>>();
  private readonly stored: Map<string, StoredModel>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  lastCycle = 0;

  constructor(private readonly o: PipelineOptions) {
    for (const entry of o.config.series) {
      this.status.set(entry.name, { up: !o.source, simulated: !o.source, lastSuccess: 0, cursor: new Map() });
    }
    this.stored =
      o.modelStore?.loadAll((file, err) =>
        o.logger.warn({ file, err: err.message }, 'ignoring unreadable stored model'),
      ) ?? new Map();
  }

  /** true once at least one series has a forecast */
  get ready(): boolean {
    for (const s of this.series.values()) if (s.forecast) return true;
    return false;
  }

  now(): number {
    return this.o.clock() / 1000;
  }

  /** Run cycles every `schedule.interval` until stop(); the first runs at once. */
  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.runCycle();
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.o.config.schedule.interval * 1000);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.whenIdle();
  }

  /** resolves when every fit started so far has been applied */
  async whenIdle(): Promise<void> {
    while (this.pendingFits.size > 0) await Promise.all([...this.pendingFits]);
  }

  async runCycle(): Promise<void> {
    const t0 = performance.now();
    const now = this.now();
    await Promise.all(this.o.config.series.map((entry) => this.runEntry(entry, now)));
    this.dropStale(now);
    this.lastCycle = now;
    this.o.instruments.cycle((performance.now() - t0) / 1000);
  }

  private async runEntry(entry: SeriesConfig, now: number): Promise<void> {
    const status = this.status.get(entry.name)!;
    let result: SourceSeries[] | undefined;
    let simulated = !this.o.source;
    if (this.o.source) {
      result = await this.query(this.o.source, entry, now, status);
      status.up = result !== undefined;
      if (result) status.lastSuccess = now;
      simulated = !result && entry.fallback === 'simulation';
    }
    if (simulated) result = await this.query(this.o.simulation, entry, now, status);
    status.simulated = simulated;
    if (!this.o.source) status.up = result !== undefined;
    if (result) this.ingest(entry, result, simulated, now);
  }

  private async query(
    source: Source,
    entry: SeriesConfig,
    now: number,
    status: EntryStatus,
  ): Promise<SourceSeries[] | undefined> {
    const end = Math.floor(now / entry.step) * entry.step;
    const after = status.cursor.get(source.kind);
    const start = after !== undefined ? after + entry.step : end - entry.lookback;
    if (start > end) return [];
    const t0 = performance.now();
    try {
      const out = await source.queryRange({
        name: entry.name,
        query: entry.query,
        start,
        end,
        step: entry.step,
        simulate: entry.simulate,
      });
      status.cursor.set(source.kind, end);
      this.o.instruments.queryDuration(entry.name, (performance.now() - t0) / 1000);
      return out;
    } catch (err) {
      const reason = err instanceof SourceError ? err.reason : 'other';
      this.o.instruments.queryError(entry.name, reason);
      this.o.logger.warn(
        { series: entry.name, source: source.kind, reason, err: (err as Error).message },
        'query failed; serving last good forecasts',
      );
      return undefined;
    }
  }

  private ingest(entry: SeriesConfig, result: SourceSeries[], simulated: boolean, now: number): void {
    const { limits } = this.o.config;
    let dropped = 0;
    for (const src of result) {
      const key = seriesKey(entry.name, src.labels);
      let state = this.series.get(key);
      if (!state) {
        if (this.series.size >= limits.max_series) {
          dropped++;
          continue;
        }
        state = this.createState(entry, src, simulated);
        this.series.set(key, state);
      }
      state.lastSeen = now;
      state.simulated = simulated;
      const added = state.append(src.timestamps, src.values);
      for (const [t, v] of added) this.scorePoint(state, t, v);
      if (state.model && added.length > 0 && state.lastT > state.modelT) {
        state.model.update(state.valuesAfter(state.modelT));
        state.modelT = state.lastT;
      }
      if (!state.fitPending && state.values.length >= 2 && now - state.lastFit >= entry.refit_interval) {
        this.scheduleFit(state, now);
      }
      if (state.model && (added.length > 0 || !state.forecast)) this.forecast(state);
    }
    if (dropped > 0) {
      this.o.instruments.seriesDropped(entry.name, dropped);
      this.o.logger.warn(
        { series: entry.name, dropped, max_series: limits.max_series },
        'series dropped by limits.max_series',
      );
    }
  }

  private createState(entry: SeriesConfig, src: SourceSeries, simulated: boolean): SeriesState {
    const detector = getDetector(entry.detector);
    if (!detector) throw new Error(`unknown detector "${entry.detector}"`);
    const seasonLengths = entry.seasonality.map((s) => Math.round(s / entry.step));
    const scorer = detector.create({
      step: entry.step,
      seasonLengths: seasonLengths.length ? seasonLengths : undefined,
      threshold: entry.anomaly_threshold,
    });
    const state = new SeriesState(entry, src.labels, entry.step, scorer, simulated);
    const stored = this.stored.get(state.key);
    if (stored && stored.requested === entry.model) {
      try {
        state.model = getModel(stored.state.model)!.restore(stored.state);
        state.modelT = stored.modelT;
        state.lastFit = stored.fittedAt;
      } catch (err) {
        this.o.logger.warn({ series: state.key, err: (err as Error).message }, 'stored model not restored; refitting');
      }
    }
    return state;
  }

  private scorePoint(state: SeriesState, t: number, v: number): void {
    state.accuracy.observe(t, v);
    const was = state.detection?.isAnomaly ?? false;
    const d = state.scorer.score(t, v);
    state.recordDetection(t, d);
    if (d.isAnomaly && !was) {
      const severity = SEVERITY_NAMES[d.severity].toLowerCase();
      this.o.instruments.anomalyEvent(state.entry.name, severity);
      this.o.anomalyLog?.append({
        timestamp: new Date(t * 1000).toISOString(),
        series: state.entry.name,
        labels: state.labels,
        value: v,
        expected: d.expected,
        band: d.lower !== undefined && d.upper !== undefined ? [d.lower, d.upper] : undefined,
        score: d.score,
        severity: SEVERITY_NAMES[d.severity],
        model: state.model?.name ?? state.entry.model,
        detector: state.entry.detector,
      });
    }
  }

  private scheduleFit(state: SeriesState, now: number): void {
    const entry = state.entry;
    const fitT = state.lastT;
    const values = Float64Array.from(state.values);
    const seasonLengths = entry.seasonality.map((s) => Math.round(s / entry.step));
    state.fitPending = true;
    const job = this.o.fitter
      .fit({
        model: entry.model,
        values,
        start: state.start,
        step: state.step,
        seasonLengths: seasonLengths.length ? seasonLengths : undefined,
      })
      .then((res) => {
        const model = getModel(res.state.model)!.restore(res.state);
        if (state.lastT > fitT) model.update(state.valuesAfter(fitT));
        state.model = model;
        state.modelT = state.lastT;
        state.lastFit = now;
        state.fitFailures = 0;
        this.o.instruments.fitDuration(entry.name, res.state.model, res.seconds);
        this.o.modelStore?.save({
          key: state.key,
          requested: entry.model,
          state: model.toJSON(),
          modelT: state.modelT,
          fittedAt: now,
        });
        this.forecast(state);
      })
      .catch((err: Error) => {
        state.fitFailures++;
        // back off: do not retry a failing fit before the next refit interval
        state.lastFit = now;
        this.o.instruments.fitError(entry.name, entry.model);
        this.o.logger.warn({ series: state.key, model: entry.model, err: err.message }, 'fit failed');
      })
      .finally(() => {
        state.fitPending = false;
        this.pendingFits.delete(job);
      });
    this.pendingFits.add(job);
  }

  private forecast(state: SeriesState): void {
    try {
      const e = state.entry;
      state.recordForecast(forecastHorizons(state.model!, state.lastT, state.step, e.horizons, e.levels));
    } catch (err) {
      this.o.logger.warn({ series: state.key, err: (err as Error).message }, 'forecast failed');
    }
  }

  /** series the source stopped returning go away after limits.stale_after, so Prometheus marks them stale */
  private dropStale(now: number): void {
    for (const [key, state] of this.series) {
      const status = this.status.get(state.entry.name)!;
      // while the source is down we keep serving the last good forecasts
      const sourceAnswered = status.up || status.simulated;
      if (sourceAnswered && now - state.lastSeen > this.o.config.limits.stale_after) this.series.delete(key);
      else if (state.simulated && !status.simulated && status.up) this.series.delete(key);
    }
  }
}
