/**
 * ScaledObject trigger metadata (KEDA forwards it as `scalerMetadata`) parsed into what to scale
 * on. Every problem names the key and what was expected; the server turns it into gRPC
 * INVALID_ARGUMENT. docs/autoscaling.md lists the keys.
 */
import { createHash } from 'node:crypto';
import { checkPolicy, PlannerError } from '../scaling/planner.js';
import type { Labels } from '../sources/types.js';
import { parseDuration } from '../util/duration.js';
import { compileMatchers, formatMatchers, MatcherSyntaxError, parseMatchers, type LabelMatcher } from './matchers.js';
import { defaultLeadTime, DEFAULT_POD_STARTUP, type ScaleSettings } from './policy.js';

export const AGGREGATIONS = ['sum', 'max', 'avg'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** What one trigger asks for. */
export interface ScalerQuery {
  /** the config entry's name */
  series: string;
  matchers: LabelMatcher[];
  matches: (labels: Labels) => boolean;
  /** how the per-label-set scale metrics combine */
  aggregate: Aggregation;
  settings: ScaleSettings;
  /** per-replica target for `AverageValue` (GetMetricSpec's targetSize) */
  target: number;
  /** active while the scale metric is above this */
  activationThreshold: number;
  /** stable, lower-case metric name for GetMetricSpec */
  metricName: string;
}

export class MetadataError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`scalerMetadata.${key}: ${message}`);
    this.name = 'MetadataError';
  }

  /** The planner names its policy fields as the metadata keys are named. */
  static fromPlanner(err: PlannerError): MetadataError {
    return new MetadataError(err.key, err.message.slice(err.key.length + 2));
  }
}

type Reader = (key: string, text: string) => unknown;

const seconds: Reader = (key, text) => {
  const v = /^\d+(\.\d+)?$/.test(text) ? Number(text) : parseDuration(text);
  if (v === undefined || !Number.isFinite(v)) {
    throw new MetadataError(key, `expected a duration such as "90s" or "2m" (or seconds), got ${JSON.stringify(text)}`);
  }
  return v;
};
const number =
  (what: string, ok: (v: number) => boolean): Reader =>
  (key, text) => {
    const v = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(v) || !ok(v)) throw new MetadataError(key, `expected ${what}, got ${JSON.stringify(text)}`);
    return v;
  };
const any = () => true;

/** The keys CloudPulse reads, with their parsers. */
const KEYS: Record<string, Reader> = {
  series: (_key, text) => text,
  labels: (key, text) => {
    try {
      return parseMatchers(text);
    } catch (err) {
      if (!(err instanceof MatcherSyntaxError)) throw err;
      throw new MetadataError(key, `expected label matchers such as 'instance="web-1",job=~"api|web"': ${err.message}`);
    }
  },
  aggregate: (key, text) => {
    if (!(AGGREGATIONS as readonly string[]).includes(text))
      throw new MetadataError(key, `expected one of ${AGGREGATIONS.join(', ')}, got ${JSON.stringify(text)}`);
    return text;
  },
  leadTime: seconds,
  podStartup: seconds,
  level: (key, text) => {
    if (text === 'point') return null;
    return number('a band level in (0, 1) such as 0.95, or "point"', (v) => v > 0 && v < 1)(key, text);
  },
  target: number('a per-replica target > 0', (v) => v > 0),
  headroom: number('a fraction >= 0 such as 0.1', (v) => v >= 0),
  min: number('a number', any),
  max: number('a number', any),
  maxStepUp: number('a factor >= 1 such as 2', (v) => v >= 1),
  maxStepDown: number('a fraction in [0, 1] such as 0.5', (v) => v >= 0 && v <= 1),
  scaleDownHalfLife: seconds,
  activationThreshold: number('a number', any),
};

/** KEDA's own trigger metadata, forwarded with ours: accepted and ignored. */
const KEDA_KEYS = new Set(['scalerAddress', 'enableTLS', 'unsafeSsl']);

/**
 * Reads the metadata; throws MetadataError for the first bad key. KEDA resolves `<key>FromEnv`
 * from the scale target's environment and forwards it under that name, so it stands for `<key>`.
 */
export function parseMetadata(metadata: Record<string, string>): ScalerQuery {
  const values: Record<string, unknown> = {};
  for (const [raw, text] of Object.entries(metadata)) {
    if (KEDA_KEYS.has(raw)) continue;
    const key = raw.endsWith('FromEnv') && raw !== 'FromEnv' ? raw.slice(0, -'FromEnv'.length) : raw;
    const read = KEYS[key];
    if (!read) {
      throw new MetadataError(raw, `unknown key (expected one of ${Object.keys(KEYS).join(', ')})`);
    }
    if (key in values) throw new MetadataError(raw, `${key} is given twice (directly and FromEnv)`);
    values[key] = read(raw, text.trim());
  }
  const series = values.series as string | undefined;
  if (!series) throw new MetadataError('series', 'required: the name of a series entry of the exporter config');
  const target = values.target as number | undefined;
  if (target === undefined) throw new MetadataError('target', 'required: the load one replica serves, e.g. "50"');
  if (values.leadTime !== undefined && values.podStartup !== undefined) {
    throw new MetadataError('podStartup', 'give either leadTime or podStartup, not both');
  }
  const settings: ScaleSettings = {
    leadTime: values.leadTime as number | undefined,
    podStartup: values.podStartup as number | undefined,
    level: values.level as number | null | undefined,
    headroom: values.headroom as number | undefined,
    min: values.min as number | undefined,
    max: values.max as number | undefined,
    maxStepUp: values.maxStepUp as number | undefined,
    maxStepDown: values.maxStepDown as number | undefined,
    scaleDownHalfLife: values.scaleDownHalfLife as number | undefined,
  };
  try {
    // the step is not known yet; any lead time >= 0 checks the rest of the policy
    checkPolicy({
      ...settings,
      leadTime: settings.leadTime ?? defaultLeadTime(settings.podStartup ?? DEFAULT_POD_STARTUP, 0),
      level: settings.level ?? undefined,
    });
  } catch (err) {
    if (err instanceof PlannerError) throw MetadataError.fromPlanner(err);
    throw err;
  }
  const matchers = (values.labels as LabelMatcher[] | undefined) ?? [];
  const aggregate = (values.aggregate as Aggregation | undefined) ?? 'sum';
  return {
    series,
    matchers,
    matches: compileMatchers(matchers),
    aggregate,
    settings,
    target,
    activationThreshold: (values.activationThreshold as number | undefined) ?? 0,
    metricName: metricNameFor(series, matchers, aggregate),
  };
}

/**
 * `cloudpulse-<series>-<hash>`: lower case because the HPA may ask for it lower-cased, and a hash
 * of what is measured (series, matchers, aggregation) so two triggers never share a name and the
 * name survives restarts. The policy (lead time, level...) is not part of it: changing it
 * changes the value, not what is scaled on.
 */
export function metricNameFor(series: string, matchers: LabelMatcher[], aggregate: Aggregation): string {
  const hash = createHash('sha256')
    .update(`${series}\n${formatMatchers(matchers)}\n${aggregate}`)
    .digest('hex')
    .slice(0, 8);
  return `cloudpulse-${series.toLowerCase().slice(0, 48)}-${hash}`;
}
