/**
 * The configuration file's schema. Sections follow the pipeline (vmanomaly style): where data
 * comes from (source), what is forecast (series, each with its model and detector), how often
 * (schedule), safety limits (limits), and the HTTP server (web). Unknown keys are rejected.
 */
import { z } from 'zod';
import { formatDuration } from '../util/duration.js';
import { DEFAULT_DETECTOR, DEFAULT_THRESHOLD } from '../detectors/index.js';
import { OUTPUT_GROUP_NAMES, type OutputGroup } from '../vocabulary.js';
import { defaultLeadTime, DEFAULT_POD_STARTUP } from '../scaler/policy.js';
import { leadSteps } from '../scaling/planner.js';
import { clusterSection } from './cluster-schema.js';
import { duration } from './duration-schema.js';

export { duration } from './duration-schema.js';

const byteSize = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?\s*(B|KiB|MiB|GiB|KB|MB|GB)$/)])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(v)!;
    const mult: Record<string, number> = {
      B: 1,
      KB: 1e3,
      MB: 1e6,
      GB: 1e9,
      KiB: 1024,
      MiB: 1024 ** 2,
      GiB: 1024 ** 3,
    };
    return Math.round(Number(m[1]) * mult[m[2]]);
  });

const level = z
  .number()
  .gt(0, 'expected a coverage level between 0 and 1 (exclusive), e.g. 0.95')
  .lt(1, 'expected a coverage level between 0 and 1 (exclusive), e.g. 0.95');

const prometheusSource = z.strictObject({
  /** base URL of any Prometheus-API-compatible server (Prometheus, Thanos, Mimir, VictoriaMetrics) */
  url: z.url({ message: 'expected an http(s) URL such as http://prometheus:9090' }),
  timeout: duration().default(30),
  retries: z.number().int().min(0).max(10).default(3),
  /** first retry delay; doubles each attempt, with full jitter */
  retry_backoff: duration().default(0.5),
  max_response_bytes: byteSize.default(64 * 1024 * 1024),
  /**
   * Ask for gzip-compressed answers. `auto`: yes, unless the server is on a loopback address,
   * where compressing a week of 10k series costs Prometheus more CPU than the bytes it saves.
   */
  compression: z.enum(['auto', 'gzip', 'none']).default('auto'),
  /**
   * `promql`: every series query must parse with Prometheus' grammar before start-up.
   * `unchecked`: for servers that extend PromQL (VictoriaMetrics' MetricsQL).
   */
  query_syntax: z.enum(['promql', 'unchecked']).default('promql'),
  basic_auth: z
    .strictObject({
      username: z.string().min(1),
      password: z.string().optional(),
      password_file: z.string().optional(),
    })
    .refine((a) => (a.password === undefined) !== (a.password_file === undefined), {
      message: 'expected exactly one of password or password_file',
    })
    .optional(),
  bearer_token: z.string().optional(),
  bearer_token_file: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  tls: z
    .strictObject({
      ca_file: z.string().optional(),
      insecure_skip_verify: z.boolean().default(false),
    })
    .default({ insecure_skip_verify: false }),
});

const simulationSource = z.strictObject({
  instances: z.number().int().min(1).max(100000).default(3),
  seed: z.number().int().default(42),
  /** how far back the simulated history starts when the exporter boots */
  history: duration().default(7 * 86400),
  /** inject anomalies into the live simulation (visible as ground truth in `simulate`) */
  anomalies: z.boolean().default(true),
  /**
   * Simulated seconds per real second. 1 means real time; larger values let a demo or a test
   * see a day pass in minutes.
   */
  speed: z.number().positive().max(100000).default(1),
  /**
   * Simulated time at start, as RFC 3339 (default: the real time). With a fixed start the same
   * seed gives the same data on every run, whenever it runs.
   */
  start: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
      'expected an RFC 3339 time, e.g. 2026-01-05T00:00:00Z',
    )
    .refine((v) => Number.isFinite(Date.parse(v)), 'expected a valid date')
    .optional(),
  /** inject one anomaly of this kind at this many seconds after start (used by end-to-end tests) */
  inject: z
    .array(
      z.strictObject({
        after: duration(),
        kind: z.enum(['spike', 'level_shift', 'drift', 'flatline', 'seasonality_break']),
        duration: duration().default(900),
        magnitude: z.number().positive().default(6),
        instance: z.number().int().min(0).default(0),
        series: z.string().optional(),
      }),
    )
    .default([]),
});

/**
 * Which outputs a series entry exports: output volume is the user's choice (docs/metrics.md counts
 * the samples per modelled series). Horizons and levels listed here must be among the entry's own;
 * absent means all of them.
 */
const outputs = z
  .strictObject({
    families: z.array(z.enum(OUTPUT_GROUP_NAMES as [OutputGroup, ...OutputGroup[]])).default([...OUTPUT_GROUP_NAMES]),
    horizons: z.array(duration()).optional(),
    levels: z.array(level).optional(),
  })
  .default({ families: [...OUTPUT_GROUP_NAMES] });

/**
 * `cloudpulse_scale_metric` for the entry's label sets: the capacity planner's scale metric, as
 * the KEDA external scaler computes it (docs/autoscaling.md). Step limits need the previous value
 * and are left to the external scaler and the HPA's own behaviour.
 */
const scale = z
  .strictObject({
    /** default: pod_startup + one HPA sync (15s) + one step */
    lead_time: duration().optional(),
    pod_startup: duration().optional(),
    /** the band whose upper bound is planned on, or "point" for the point forecast; default 0.95 */
    level: z.union([level, z.literal('point')]).optional(),
    headroom: z.number().min(0, 'expected a fraction >= 0 such as 0.1').optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .optional();

export const seriesEntry = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a name made of letters, digits and underscores'),
    query: z.string().min(1, 'expected a PromQL query'),
    step: duration().default(300),
    lookback: duration().default(7 * 86400),
    model: z.string().default('auto'),
    detector: z.string().default(DEFAULT_DETECTOR),
    horizons: z.array(duration()).min(1).default([300, 900, 3600, 14400]),
    levels: z.array(level).min(1).default([0.8, 0.95]),
    refit_interval: duration().default(3600),
    /** known season lengths as durations (e.g. ["1d", "1w"]); empty means detect */
    seasonality: z.array(duration()).default([]),
    thresholds: z.array(z.number()).default([]),
    /** score at or above which a point counts as anomalous */
    anomaly_threshold: z.number().gt(0).lt(1).default(DEFAULT_THRESHOLD),
    /** known incidents (a labels file as `evaluate --labels` reads) for detectors that learn from them */
    anomaly_labels: z.string().min(1).optional(),
    /** what to do while the source is down: keep the last good forecasts, or switch to simulation */
    fallback: z.enum(['none', 'simulation']).default('none'),
    /** which simulated metric stands in for this series in simulation mode */
    simulate: z.enum(['cpu', 'memory', 'network']).optional(),
    outputs,
    scale,
  })
  .superRefine((entry, ctx) => {
    const subset = (key: 'horizons' | 'levels', own: number[], show: (v: number) => string) => {
      entry.outputs[key]?.forEach((v, i) => {
        if (!own.includes(v))
          ctx.addIssue({
            code: 'custom',
            path: ['outputs', key, i],
            message: `expected one of the entry's ${key} (${own.map(show).join(', ')}), got ${show(v)}`,
          });
      });
    };
    subset('horizons', entry.horizons, formatDuration);
    subset('levels', entry.levels, String);
    if (entry.scale) checkScale(entry as SeriesConfig, ctx);
  });

function checkScale(entry: SeriesConfig, ctx: z.RefinementCtx): void {
  const s = entry.scale!;
  const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: ['scale', key], message });
  if (s.lead_time !== undefined && s.pod_startup !== undefined)
    issue('pod_startup', 'give lead_time or pod_startup, not both');
  if (typeof s.level === 'number' && !entry.levels.includes(s.level)) {
    issue('level', `expected one of the entry's levels (${entry.levels.join(', ')}) or "point", got ${s.level}`);
  }
  if (s.min !== undefined && s.max !== undefined && s.min > s.max)
    issue('max', `expected max >= min (${s.min}), got ${s.max}`);
  const lead = s.lead_time ?? defaultLeadTime(s.pod_startup ?? DEFAULT_POD_STARTUP, entry.step);
  const longest = Math.max(...entry.horizons);
  // in steps, as the forecast is made: the longest horizon rounded to whole steps
  if (leadSteps(lead, entry.step) > Math.max(1, Math.round(longest / entry.step))) {
    issue(
      s.lead_time !== undefined ? 'lead_time' : 'pod_startup',
      `the lead time (${formatDuration(lead)}) reaches past the longest horizon (${formatDuration(longest)}); add a longer horizon or shorten it`,
    );
  }
}

/**
 * `remote_write`: Prometheus remote write 1.0 output, configured like Prometheus' own
 * (docs/configuration.md): the same client options as `source.prometheus`, a `queue_config`, and
 * external labels added to every sample. Absent or empty means no remote write.
 */
const REMOTE_WRITE_RESERVED_HEADERS = [
  'authorization',
  'content-encoding',
  'content-length',
  'content-type',
  'host',
  'user-agent',
  'x-prometheus-remote-write-version',
];
const remoteWriteQueue = z.strictObject({
  /** samples queued at most; when full, the oldest are dropped and counted */
  capacity: z.number().int().min(1).default(500_000),
  max_samples_per_send: z.number().int().min(1).default(2000),
  /** a batch smaller than max_samples_per_send waits at most this long */
  batch_send_deadline: duration().default(5),
  min_backoff: duration().default(0.03),
  max_backoff: duration().default(5),
  retry_on_http_429: z.boolean().default(true),
});
const remoteWriteEntry = z
  .strictObject({
    url: z.url({ message: 'expected an http(s) URL such as http://mimir:8080/api/v1/push' }),
    /** tells two entries apart in logs and in the `remote_name` label */
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]+$/, 'expected a name made of letters, digits, "_", "." and "-"')
      .optional(),
    timeout: duration().default(30),
    basic_auth: prometheusSource.shape.basic_auth,
    bearer_token: z.string().optional(),
    bearer_token_file: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    tls: prometheusSource.shape.tls,
    /** added to every sample where the series does not carry the label itself */
    external_labels: z.record(z.string(), z.string().min(1, 'expected a non-empty label value')).default({}),
    /** an unchanged series is sent again this often; default schedule.interval, at most 2m */
    resend_interval: duration().optional(),
    queue_config: remoteWriteQueue.default(remoteWriteQueue.parse({})),
  })
  .superRefine((entry, ctx) => {
    for (const h of Object.keys(entry.headers))
      if (REMOTE_WRITE_RESERVED_HEADERS.includes(h.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['headers', h],
          message: 'expected a header that the protocol or the auth options do not set themselves',
        });
    for (const name of Object.keys(entry.external_labels))
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name === '__name__')
        ctx.addIssue({
          code: 'custom',
          path: ['external_labels', name],
          message: 'expected a label name (letters, digits, underscores; not __name__)',
        });
    const auth = (['basic_auth', 'bearer_token', 'bearer_token_file'] as const).filter((k) => entry[k] !== undefined);
    if (auth.length > 1)
      ctx.addIssue({ code: 'custom', path: [auth[1]], message: `expected at most one of ${auth.join(', ')}` });
    const q = entry.queue_config;
    if (q.min_backoff > q.max_backoff)
      ctx.addIssue({
        code: 'custom',
        path: ['queue_config', 'max_backoff'],
        message: `expected at least min_backoff (${formatDuration(q.min_backoff)}), got ${formatDuration(q.max_backoff)}`,
      });
  });
const remoteWriteSection = z
  .array(remoteWriteEntry)
  .default([])
  .superRefine((entries, ctx) => {
    // metrics and logs tell entries apart by name and URL (without credentials)
    const seen = new Map<string, number>();
    entries.forEach((e, i) => {
      if (!URL.canParse(e.url)) return; // already reported
      const url = new URL(e.url);
      const id = `${e.name ?? ''} ${url.origin}${url.pathname}`;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `expected a name that tells this entry from remote_write[${first}] (same url)`,
        });
    });
  });

export const configSchema = z.strictObject({
  source: z
    .strictObject({
      prometheus: prometheusSource.optional(),
      simulation: simulationSource.default(simulationSource.parse({})),
    })
    .default({ simulation: simulationSource.parse({}) }),
  schedule: z
    .strictObject({
      /** how often to fetch new points, forecast and score */
      interval: duration().default(60),
      /** worker threads for model fitting */
      fit_workers: z.number().int().min(1).max(64).default(1),
    })
    .default({ interval: 60, fit_workers: 1 }),
  limits: z
    .strictObject({
      max_series: z.number().int().min(1).default(10000),
      /** series missing from the source this long are dropped from /metrics */
      stale_after: duration().default(900),
    })
    .default({ max_series: 10000, stale_after: 900 }),
  storage: z
    .strictObject({
      path: z.string().optional(),
    })
    .default({}),
  web: z
    .strictObject({
      /**
       * When set, every endpoint except the /-/healthy and /-/ready probes requires
       * `Authorization: Bearer <token>` (Prometheus: scrape_config `authorization.credentials_file`).
       */
      bearer_token_file: z.string().optional(),
    })
    .default({}),
  anomaly_log: z
    .strictObject({
      path: z.string().optional(),
    })
    .default({}),
  cluster: clusterSection.default(() => clusterSection.parse({})),
  remote_write: remoteWriteSection,
  series: z.array(seriesEntry).min(1, 'expected at least one series entry'),
});

export type Config = z.output<typeof configSchema>;
export type SeriesConfig = z.output<typeof seriesEntry>;
export type { ClusterConfig } from './cluster-schema.js';
export type PrometheusSourceConfig = z.output<typeof prometheusSource>;
export type SimulationSourceConfig = z.output<typeof simulationSource>;
export type RemoteWriteConfig = z.output<typeof remoteWriteEntry>;
