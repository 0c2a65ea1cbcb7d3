/**
 * Remote write for a running exporter: one writer per `remote_write` entry, all reading the same
 * store. `run` starts them after the pipeline and stops them after it, so the last changes are
 * sent within the shutdown timeout.
 */
import type { Registry } from 'prom-client';
import type { RemoteWriteConfig } from '../config/schema.js';
import type { SeriesStoreReader } from '../store/series-store.js';
import type { Logger } from '../util/logger.js';
import { registerRemoteWriteMetrics } from './metrics.js';
import { RemoteWriter } from './writer.js';

/** the longest default re-send period: two sends inside Prometheus' 5-minute lookback */
export const MAX_DEFAULT_RESEND_SECONDS = 120;

export interface RemoteWriteOptions {
  entries: RemoteWriteConfig[];
  store: SeriesStoreReader;
  registry: Registry;
  logger: Logger;
  /** the pipeline's clock, unix seconds */
  now: () => number;
  /** schedule.interval, seconds: the default re-send period (at most 2m) */
  interval: number;
  /** this process' fleet member index: `{member}` in an external label value becomes it */
  member?: number;
}

export interface RemoteWrite {
  writers: RemoteWriter[];
  /** sends what is queued for at most `timeoutMs`, then drops (and counts) the rest */
  stop(timeoutMs: number): Promise<void>;
}

/** Starts a writer per entry; undefined when there are none. */
export function startRemoteWrite(o: RemoteWriteOptions): RemoteWrite | undefined {
  if (o.entries.length === 0) return undefined;
  const metrics = registerRemoteWriteMetrics(o.registry);
  const writers = o.entries.map(
    (config, i) =>
      new RemoteWriter({
        // one ConfigMap for a whole StatefulSet: each member names itself (Mimir's __replica__)
        config: {
          ...config,
          external_labels: Object.fromEntries(
            Object.entries(config.external_labels).map(([k, v]) => [
              k,
              v.replaceAll('{member}', String(o.member ?? 0)),
            ]),
          ),
        },
        where: `remote_write[${i}]`,
        store: o.store,
        resendInterval: config.resend_interval ?? Math.min(o.interval, MAX_DEFAULT_RESEND_SECONDS),
        now: o.now,
        logger: o.logger,
        metrics,
      }),
  );
  for (const w of writers) w.start();
  o.logger.info({ remote_write: writers.map((w) => (w.name ? `${w.name} ${w.url}` : w.url)) }, 'remote write started');
  return {
    writers,
    stop: async (timeoutMs) => {
      await Promise.all(writers.map((w) => w.stop(timeoutMs)));
    },
  };
}
