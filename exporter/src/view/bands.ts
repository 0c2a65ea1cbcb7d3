/** The history band: what each horizon predicted for each past moment, drawn at that moment. */
import { alignOnTimes, medianStep } from './series.js';
import type { ForecastHistory, Ribbon } from './types.js';

/** A jump in issue times this many median steps wide is a gap (the exporter was down or behind), not a slope. */
const GAP_STEPS = 3;

/**
 * Build the band of one horizon and level over history. Each forecast is shifted by its horizon
 * from the moment it was issued to the moment it predicted, so the band lines up with the actuals
 * it tried to predict. Point, lower and upper are aligned on the union of their times (they come
 * from separate queries, so one may be missing or shorter); a missing part is NaN.
 * Returns an empty ribbon when that horizon is absent.
 */
export function buildBands(history: ForecastHistory[], horizon: number, level: string): Ribbon {
  const track = history.find((h) => h.horizon === horizon);
  if (!track) return { t: [], point: [], lower: [], upper: [] };
  const bounds = track.bands[level] ?? {};
  const [t, point, lower, upper] = alignOnTimes([track.point, bounds.lower, bounds.upper]);
  return breakAtGaps({ t: t.map((issuedAt) => issuedAt + horizon), point, lower, upper });
}

/** Insert a NaN row into every gap wider than GAP_STEPS median steps, so the band is not drawn across it. */
export function breakAtGaps(ribbon: Ribbon): Ribbon {
  const limit = GAP_STEPS * medianStep(ribbon.t);
  if (!(limit > 0)) return ribbon;
  const out: Ribbon = { t: [], point: [], lower: [], upper: [] };
  for (let i = 0; i < ribbon.t.length; i++) {
    if (i > 0 && ribbon.t[i] - ribbon.t[i - 1] > limit) {
      out.t.push((ribbon.t[i] + ribbon.t[i - 1]) / 2);
      out.point.push(NaN);
      out.lower.push(NaN);
      out.upper.push(NaN);
    }
    out.t.push(ribbon.t[i]);
    out.point.push(ribbon.point[i]);
    out.lower.push(ribbon.lower[i]);
    out.upper.push(ribbon.upper[i]);
  }
  return out;
}

/** Horizons present in a history, ascending. */
export function historyHorizons(history: ForecastHistory[]): number[] {
  return [...new Set(history.map((h) => h.horizon))].sort((a, b) => a - b);
}

/** Levels present in any horizon of a history, ascending. */
export function historyLevels(history: ForecastHistory[]): string[] {
  const levels = new Set<string>();
  for (const h of history) for (const level of Object.keys(h.bands)) levels.add(level);
  return [...levels].sort((a, b) => Number(a) - Number(b));
}
