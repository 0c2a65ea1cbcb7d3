/** Anomaly markers: which points were anomalous, how badly, and where to draw them. */
import { alignOnTimes, medianStep, valueNear } from './series.js';
import type { AnomalyMarker, TimeSeries } from './types.js';

/** Severity by its number in `cloudpulse_anomaly_severity`. */
export const SEVERITY_NAMES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];

/** Default marker colours (Grafana's named palette), by severity number; critical in its dark red, apart from the fan's purple. */
export const SEVERITY_COLORS: Record<number, string> = {
  1: '#FADE2A',
  2: '#FF9830',
  3: '#F2495C',
  4: '#C4162A',
};

export function severityName(severity: number): SeverityName {
  return SEVERITY_NAMES[Math.max(0, Math.min(4, Math.round(severity)))] ?? 'none';
}

/**
 * One marker per anomalous sample: severity above 0, or, when no severity was queried, the 0/1
 * anomaly flag at 1 (drawn as "low"). The marker sits on the actual line at the nearest actual
 * sample within two steps, else its value is NaN.
 */
export function anomalyMarkers(
  actual: TimeSeries,
  parts: { severity?: TimeSeries; score?: TimeSeries; flag?: TimeSeries },
): AnomalyMarker[] {
  const [t, severity, score, flag] = alignOnTimes([parts.severity, parts.score, parts.flag]);
  const tolerance = 2 * medianStep(actual.t);
  const markers: AnomalyMarker[] = [];
  for (let i = 0; i < t.length; i++) {
    const level = Number.isFinite(severity[i]) ? severity[i] : flag[i] >= 1 ? 1 : 0;
    if (!(level > 0)) continue;
    markers.push({ t: t[i], v: valueNear(actual, t[i], tolerance), score: score[i], severity: Math.round(level) });
  }
  return markers;
}
