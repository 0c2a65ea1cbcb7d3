/** Grid helpers shared by the streaming detectors. */
import type { ScorerOptions } from '../types.js';

/**
 * The longest daily season assumed without being told (a day at 30 s). Seasonal state costs two
 * doubles per point of the season, so a day at a 1-second step would cost 1.4 MB per series;
 * below 30 s a season is used only when `seasonality` names one.
 */
export const MAX_DEFAULT_SEASON = 2880;

/** season in steps: the caller's first known season, else daily when the step divides a day */
export function seasonFor(options: ScorerOptions): number {
  const known = options.seasonLengths?.find((s) => s > 1);
  if (known) return Math.round(known);
  const daily = 86400 / options.step;
  return Number.isInteger(daily) && daily > 1 && daily <= MAX_DEFAULT_SEASON ? daily : 0;
}

/**
 * Points arrive with timestamps; a jump of several steps means missing points. Call `fill` once
 * per missing step (at most `maxFill`, so a long outage does not stall the scorer) so seasonal
 * state stays aligned with the clock. Repeated or early timestamps are treated as the next step.
 */
export function fillTimeGap(lastT: number, t: number, step: number, maxFill: number, fill: () => void): void {
  if (!Number.isFinite(lastT) || !(step > 0)) return;
  const missing = Math.round((t - lastT) / step) - 1;
  for (let i = 0; i < Math.min(missing, Math.max(1, maxFill)); i++) fill();
}
