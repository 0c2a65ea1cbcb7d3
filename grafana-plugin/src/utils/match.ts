/**
 * Match the actual series with CloudPulse's forecast and anomaly series. CloudPulse metrics carry
 * `series` (the config entry) plus every label of the source series, so a group is keyed by
 * `series` and those source labels; a source series (without `series`) joins the group whose
 * source labels equal its own.
 */
import type { ForecastHistory, LatestForecast, TimeSeries } from '../../../exporter/src/view/index.js';
import { horizonSeconds, levelKey } from '../../../exporter/src/view/index.js';
import type { LabeledSeries } from './frames.js';

/** Labels CloudPulse adds; a source label with one of these names arrives as `exported_<name>`. */
const OWN_LABELS = ['series', 'horizon', 'level', 'threshold', 'bound', 'model', 'description', 'severity'];

export interface MatchedSeries {
  /** stable key: series name and source labels */
  key: string;
  /** the config entry's name */
  name: string;
  /** the source series' labels */
  labels: Record<string, string>;
  model?: string;
  actual: TimeSeries;
  history: ForecastHistory[];
  latest: LatestForecast[];
  anomalies: { severity?: TimeSeries; score?: TimeSeries; flag?: TimeSeries };
  /** when the newest forecast was issued (cloudpulse_last_sample_timestamp_seconds) */
  lastSampleTime?: number;
}

export interface MatchResult {
  matched: MatchedSeries[];
  /** source series that matched no CloudPulse series, or more than one */
  unmatched: LabeledSeries[];
}

export function matchSeries(all: LabeledSeries[]): MatchResult {
  const groups = new Map<string, Group>();
  const sources: LabeledSeries[] = [];
  for (const s of all) {
    if (!s.metric.startsWith('cloudpulse_') || s.labels.series === undefined) {
      if (!s.metric.startsWith('cloudpulse_')) sources.push(s);
      continue;
    }
    const labels = sourceLabels(s.labels);
    const key = groupKey(s.labels.series, labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, name: s.labels.series, labels, parts: [] }));
    group.parts.push(s);
  }
  const unmatched: LabeledSeries[] = [];
  const sourceFor = new Map<string, LabeledSeries>();
  for (const s of sources) {
    const group = findGroupFor(s, [...groups.values()]);
    if (group && !sourceFor.has(group.key)) sourceFor.set(group.key, s);
    else unmatched.push(s);
  }
  const matched = [...groups.values()].map((g) => assemble(g, sourceFor.get(g.key)));
  matched.sort((a, b) => a.key.localeCompare(b.key));
  return { matched, unmatched };
}

interface Group {
  key: string;
  name: string;
  labels: Record<string, string>;
  parts: LabeledSeries[];
}

/**
 * Source labels of a CloudPulse series: ours removed, and every `exported_x` renamed back to `x`.
 * `exported_` comes from the exporter (a source label clashing with ours) or from Prometheus
 * scraping without honor_labels (the source's instance and job clashing with the exporter's
 * target labels); either way it holds the source's value, and a plain `x` beside it is the
 * exporter's own target label, which the source series does not have.
 */
export function sourceLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    if (!OWN_LABELS.includes(name) && !name.startsWith('exported_')) out[name] = value;
  }
  for (const [name, value] of Object.entries(labels)) {
    if (name.startsWith('exported_')) out[name.slice('exported_'.length)] = value;
  }
  return out;
}

function groupKey(series: string, labels: Record<string, string>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return `${series}{${pairs.join(',')}}`;
}

/**
 * The group a source series belongs to: among groups with exactly its labels, the one whose
 * series name equals its metric name or query refId, else the only one; ambiguous otherwise.
 */
function findGroupFor(source: LabeledSeries, groups: Group[]): Group | undefined {
  const own = groupKey('', source.labels);
  const candidates = groups.filter((g) => groupKey('', g.labels) === own);
  if (candidates.length === 1) return candidates[0];
  return candidates.find((g) => g.name === source.metric || g.name === source.refId);
}

function assemble(group: Group, source: LabeledSeries | undefined): MatchedSeries {
  const byMetric = (metric: string) => group.parts.filter((p) => p.metric === metric);
  const sampleTimes = byMetric('cloudpulse_last_sample_timestamp_seconds')[0];
  const retimed = (s: LabeledSeries | undefined) => (s ? retime(s, sampleTimes) : undefined);
  const exporterActual = retimed(byMetric('cloudpulse_actual')[0]);
  const history = new Map<number, ForecastHistory>();
  const trackFor = (s: LabeledSeries) => {
    const horizon = horizonSeconds(s.labels.horizon ?? '');
    if (horizon === undefined) return undefined;
    let track = history.get(horizon);
    if (!track) history.set(horizon, (track = { horizon, bands: {} }));
    return track;
  };
  for (const s of byMetric('cloudpulse_forecast')) {
    const track = trackFor(s);
    if (track) track.point = retimed(s);
  }
  for (const side of ['lower', 'upper'] as const) {
    for (const s of byMetric(`cloudpulse_forecast_${side}`)) {
      const track = trackFor(s);
      const level = levelKey(s.labels.level ?? '');
      if (!track || level === undefined) continue;
      (track.bands[level] ??= {})[side] = retimed(s);
    }
  }
  const tracks = [...history.values()].sort((a, b) => a.horizon - b.horizon);
  // the model can change at a refit: take the info series seen last
  const model = byMetric('cloudpulse_model_info')
    .sort((a, b) => lastTime(a) - lastTime(b))
    .pop()?.labels.model;
  return {
    key: group.key,
    name: group.name,
    labels: group.labels,
    model,
    actual: source ? { t: source.t, v: source.v } : (exporterActual ?? { t: [], v: [] }),
    history: tracks,
    latest: tracks.map(latestOf).filter((f): f is LatestForecast => f !== undefined),
    anomalies: {
      severity: retimed(byMetric('cloudpulse_anomaly_severity')[0]),
      score: retimed(byMetric('cloudpulse_anomaly_score')[0]),
      flag: retimed(byMetric('cloudpulse_anomaly')[0]),
    },
    lastSampleTime: sampleTimes ? lastFinite(sampleTimes) : undefined,
  };
}

/**
 * Re-time a series scraped from the exporter to the time of the sample each value was computed
 * from: Prometheus stamps the scrape time, which lags the sample by up to a step (and, in a
 * sped-up simulation, differs from simulated time altogether). Repeated sample times keep the
 * newest value. Without the sample-time series the scrape times are kept.
 */
export function retime(series: LabeledSeries | TimeSeries, sampleTimes: TimeSeries | undefined): TimeSeries {
  if (!sampleTimes || sampleTimes.t.length === 0) return { t: series.t, v: series.v };
  const at = new Map<number, number>();
  let j = 0;
  for (let i = 0; i < series.t.length; i++) {
    while (j + 1 < sampleTimes.t.length && sampleTimes.t[j + 1] <= series.t[i]) j++;
    const sampleTime = sampleTimes.t[j] <= series.t[i] ? sampleTimes.v[j] : NaN;
    if (Number.isFinite(sampleTime) && Number.isFinite(series.v[i])) at.set(sampleTime, series.v[i]);
  }
  const t = [...at.keys()].sort((a, b) => a - b);
  return { t, v: t.map((time) => at.get(time)!) };
}

function latestOf(track: ForecastHistory): LatestForecast | undefined {
  const point = track.point ? lastFinite(track.point) : NaN;
  const bands: Record<string, [number, number]> = {};
  for (const [level, b] of Object.entries(track.bands)) {
    const lower = b.lower ? lastFinite(b.lower) : NaN;
    const upper = b.upper ? lastFinite(b.upper) : NaN;
    if (Number.isFinite(lower) || Number.isFinite(upper)) bands[level] = [lower, upper];
  }
  if (!Number.isFinite(point) && Object.keys(bands).length === 0) return undefined;
  return { horizon: track.horizon, point, bands };
}

function lastFinite(series: TimeSeries): number {
  for (let i = series.v.length - 1; i >= 0; i--) if (Number.isFinite(series.v[i])) return series.v[i];
  return NaN;
}

function lastTime(series: TimeSeries): number {
  return series.t.length ? series.t[series.t.length - 1] : -Infinity;
}
