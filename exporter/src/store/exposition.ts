/**
 * Rendering a series' record to Prometheus exposition lines, once per change (kube-state-metrics
 * style): the scrape only concatenates the bytes made here. Label names are sanitised to the
 * classic `[a-zA-Z_][a-zA-Z0-9_]*` form that every scraper and the 0.0.4 text format accept (the
 * same rule as Prometheus' `escaping=underscores`), so one odd upstream label can never break the
 * whole exposition. Gauge sample lines are identical in the text and OpenMetrics formats, so one
 * rendering serves both.
 */
import type { SeriesConfig } from '../config/schema.js';
import { secondsToThreshold } from '../pipeline/threshold.js';
import { plannerPolicy, settingsFromConfig } from '../scaler/policy.js';
import { planScaleMetric, type PlannerPolicy } from '../scaling/planner.js';
import type { Labels } from '../sources/types.js';
import { formatDuration } from '../util/duration.js';
import { OWN_LABELS, SERIES_FAMILIES, type OutputGroup } from '../vocabulary.js';
import type { ForecastPath, HorizonAccuracy, RecordDetection, RecordModel } from './record.js';

const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OWN = new Set<string>(OWN_LABELS);

/** `foo.bar` -> `foo_bar`, `1st` -> `_1st`: a legal classic label name. */
export function sanitiseLabelName(name: string): string {
  if (VALID_NAME.test(name)) return name;
  const replaced = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) || replaced === '' ? `_${replaced}` : replaced;
}

/**
 * The source labels as exported: names sanitised, CloudPulse's own label names prefixed with
 * `exported_`, and names that collide after sanitising given a numeric suffix in sorted order, so
 * no value is ever silently lost.
 */
export function exportedLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) {
    let target = sanitiseLabelName(name);
    if (OWN.has(target)) target = `exported_${target}`;
    for (let k = 2; Object.hasOwn(out, target) || OWN.has(target); k++) target = `${sanitiseLabelName(name)}_${k}`;
    out[target] = labels[name];
  }
  return out;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `a="1",b="2"` for already legal names, in the given order */
export function labelPairs(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
    .join(',');
}

/** A sample value as Prometheus writes it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The index of each per-series family in the exposition order. */
export const FAMILY_INDEX: Record<string, number> = Object.fromEntries(SERIES_FAMILIES.map((f, i) => [f.name, i]));

/** Everything a render needs that changes when the series changes. */
export interface RenderState {
  lastT: number;
  lastValue: number;
  forecast?: ForecastPath;
  detection?: RecordDetection;
  model?: RecordModel;
  accuracy: HorizonAccuracy[];
}

interface HorizonOutput {
  /** index into the entry's horizons */
  index: number;
  /** steps ahead into the forecast path */
  steps: number;
  label: string;
}

const encoder = new TextEncoder();

/**
 * Renders the records of one config entry. Built once per entry: which families, horizons and
 * levels are exported and their label text are decided here, not per series or per scrape.
 */
export class EntryRenderer {
  private readonly groups: Set<OutputGroup>;
  private readonly horizons: HorizonOutput[];
  /** indexes into the entry's levels that are exported */
  private readonly levels: number[];
  /** the planner policy of `cloudpulse_scale_metric`, for entries with a `scale` block */
  private readonly scale?: PlannerPolicy;

  constructor(private readonly entry: SeriesConfig) {
    this.groups = new Set(entry.outputs.families);
    const wantH = entry.outputs.horizons;
    this.horizons = entry.horizons
      .map((h, index) => ({
        index,
        steps: Math.max(1, Math.round(h / entry.step)),
        label: `horizon="${formatDuration(h)}"`,
      }))
      .filter((h) => !wantH || wantH.includes(entry.horizons[h.index]));
    const wantL = entry.outputs.levels;
    this.levels = entry.levels.map((_, i) => i).filter((i) => !wantL || wantL.includes(entry.levels[i]));
    if (entry.scale && this.groups.has('scale'))
      this.scale = plannerPolicy(settingsFromConfig(entry.scale), entry.step);
  }

  /** the label text every output of a series starts with: `series="...",<source labels>` */
  baseLabels(labels: Labels): string {
    return labelPairs({ series: this.entry.name, ...exportedLabels(labels) });
  }

  /** number of samples a fully warmed-up series exports (docs/metrics.md) */
  samplesPerSeries(): number {
    const h = this.horizons.length;
    const l = this.levels.length;
    const counts: Record<OutputGroup, number> = {
      forecast: h,
      bounds: 2 * h * l,
      actual: 2,
      anomaly: 3,
      eta: 2 * this.entry.thresholds.length,
      model: 2,
      accuracy: h + h * l,
      scale: this.scale ? 1 : 0,
    };
    let n = 0;
    for (const g of this.groups) n += counts[g];
    return n;
  }

  render(base: string, s: RenderState): { exposition: Uint8Array; offsets: Uint32Array } {
    const parts: string[] = new Array(SERIES_FAMILIES.length).fill('');
    const line = (family: string, extra: string, value: number) => {
      if (!Number.isFinite(value)) return;
      const labels = extra ? (base ? `${base},${extra}` : extra) : base;
      parts[FAMILY_INDEX[family]] += `${family}{${labels}} ${formatValue(value)}\n`;
    };
    const g = this.groups;
    const f = s.forecast;
    if (f && (g.has('forecast') || g.has('bounds'))) {
      for (const h of this.horizons) {
        const i = h.steps - 1;
        if (g.has('forecast')) line('cloudpulse_forecast', h.label, f.point[i]);
        if (!g.has('bounds')) continue;
        for (const k of this.levels) {
          const iv = f.intervals[k];
          if (!iv) continue;
          const lv = `${h.label},level="${iv.level}"`;
          line('cloudpulse_forecast_lower', lv, iv.lower[i]);
          line('cloudpulse_forecast_upper', lv, iv.upper[i]);
        }
      }
    }
    if (g.has('actual')) {
      line('cloudpulse_actual', '', s.lastValue);
      line('cloudpulse_last_sample_timestamp_seconds', '', s.lastT);
    }
    const d = s.detection;
    if (d && g.has('anomaly')) {
      line('cloudpulse_anomaly_score', '', d.score);
      line('cloudpulse_anomaly', '', d.isAnomaly ? 1 : 0);
      line('cloudpulse_anomaly_severity', '', d.isAnomaly ? d.severity : 0);
    }
    if (f && g.has('eta') && this.entry.thresholds.length > 0) this.renderEta(f, s.lastValue, line);
    const m = s.model;
    if (m && g.has('model')) {
      line(
        'cloudpulse_model_info',
        `model="${escapeLabelValue(m.name)}",description="${escapeLabelValue(m.description)}"`,
        1,
      );
      line('cloudpulse_model_last_fit_timestamp_seconds', '', m.lastFit);
    }
    if (g.has('accuracy')) {
      for (const h of this.horizons) {
        const a = s.accuracy[h.index];
        if (!a) continue;
        line('cloudpulse_forecast_mase', h.label, a.mase);
        for (const k of this.levels) {
          const key = String(this.entry.levels[k]);
          line('cloudpulse_forecast_coverage', `${h.label},level="${key}"`, a.coverage[key]);
        }
      }
    }
    if (this.scale && (f || Number.isFinite(s.lastValue))) {
      // the same planner call as the external scaler makes for this one label set
      const input = { observed: s.lastValue, step: this.entry.step, forecast: f };
      line('cloudpulse_scale_metric', '', planScaleMetric(input, this.scale).value);
    }
    return pack(parts);
  }

  private renderEta(f: ForecastPath, current: number, line: (family: string, extra: string, v: number) => void) {
    // the widest band's upper bound: "could cross this soon" for capacity alerts
    let top = f.intervals[0];
    for (const iv of f.intervals) if (iv.level > top.level) top = iv;
    for (const threshold of this.entry.thresholds) {
      const paths: Array<[string, Float64Array | undefined]> = [
        ['point', f.point],
        ['upper', top?.upper],
      ];
      for (const [bound, path] of paths) {
        if (!path) continue;
        const eta = secondsToThreshold(current, path, f.step, threshold);
        if (eta !== undefined)
          line('cloudpulse_threshold_eta_seconds', `threshold="${threshold}",bound="${bound}"`, eta);
      }
    }
  }
}

/** One byte buffer for all families plus where each starts. */
function pack(parts: string[]): { exposition: Uint8Array; offsets: Uint32Array } {
  const exposition = encoder.encode(parts.join(''));
  const offsets = new Uint32Array(parts.length + 1);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    offsets[i] = at;
    // the lines are ASCII but for label values; count UTF-8 bytes exactly
    at += Buffer.byteLength(parts[i]);
  }
  offsets[parts.length] = at;
  return { exposition, offsets };
}

/** The family header lines for the exposition (identical in text 0.0.4 and OpenMetrics for gauges). */
export function familyHeader(index: number): string {
  const f = SERIES_FAMILIES[index];
  return `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${f.name} gauge\n`;
}
