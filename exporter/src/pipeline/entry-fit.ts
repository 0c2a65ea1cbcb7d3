/**
 * Fitting a model once per config entry across all its label sets (the global LSTM): the workers
 * hand over the entry's histories, one worker trains (on its worker thread; seconds), and every
 * worker serves its own series from the shared result. Until the first such fit lands each series
 * serves its last value with its own bands, and a series that appears later does the same until
 * the next entry-wide refit.
 */
import type { SeriesConfig } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import type { InstallModel, TrainingSeries, TrainResult } from './worker-messages.js';
import type { WorkerHandle } from './worker-handle.js';

export interface EntryFitDeps {
  workers: WorkerHandle[];
  logger: Logger;
  /** counts a failed entry-wide fit */
  failed: (entry: string, model: string) => void;
}

/** One entry-wide fit; resolves when every worker serves the new models (or the fit failed). */
export async function fitEntry(entry: SeriesConfig, now: number, deps: EntryFitDeps): Promise<void> {
  const { workers } = deps;
  const parts = await Promise.all(
    workers.map((s) => s.request<TrainingSeries[]>({ type: 'collect', entry: entry.name })),
  );
  const series = parts.flat();
  if (series.length === 0) return;
  // the same worker trains an entry each time, so entries spread over the workers
  const trainer = workers[[...entry.name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 0) % workers.length];
  const result = await trainer.request<TrainResult>({ type: 'train', entry: entry.name, series });
  if ('error' in result) {
    deps.failed(entry.name, entry.model);
    deps.logger.warn(
      { series: entry.name, model: entry.model, label_sets: series.length, err: result.error },
      'entry-wide fit failed; the last value keeps serving',
    );
    return;
  }
  const byKey = new Map(result.models.map((m) => [m.key, m]));
  await Promise.all(
    workers.map((s, i) => {
      const models: InstallModel[] = parts[i].map((p) => byKey.get(p.key)!).filter(Boolean);
      return s.request({ type: 'install', entry: entry.name, now, network: result.network, models });
    }),
  );
  deps.logger.info(
    { series: entry.name, model: entry.model, label_sets: series.length, seconds: result.seconds },
    'entry-wide fit served',
  );
}
