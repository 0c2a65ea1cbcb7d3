/**
 * Which stretch of time a chart shows. Every window ends where the forecast ends, so the fan is
 * always in view; the default one also keeps the fan wide enough to read.
 */

/** The smallest share of the plot's width the future fan takes in the default window. */
export const MIN_FAN_SHARE = 0.15;

/** History the default window shows when there is no forecast to size it by, seconds. */
const HISTORY_WITHOUT_FORECAST = 86400;

/** The range buttons: that much history, plus the whole forecast horizon. */
export const RANGE_PRESETS = [
  { label: '6 h', seconds: 6 * 3600 },
  { label: '24 h', seconds: 86400 },
  { label: '7 d', seconds: 7 * 86400 },
] as const;

export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * History the default window shows before the last sample, for a forecast reaching
 * `longestHorizon` seconds ahead: as much as leaves the fan MIN_FAN_SHARE of the width, that is
 * 5⅔ horizons (22 h 40 min for a 4-hour horizon). Asked for a day or six horizons, whichever is
 * longer, AND a fan of at least 15%: those two disagree (24 h + 4 h leaves the fan 14.3%, and a
 * 30-minute horizon under a day of history is the 2% sliver this replaced), so the share wins and
 * the day is one button away.
 */
export function defaultHistorySeconds(longestHorizon: number): number {
  if (!(longestHorizon > 0)) return HISTORY_WITHOUT_FORECAST;
  return (longestHorizon * (1 - MIN_FAN_SHARE)) / MIN_FAN_SHARE;
}

/**
 * The window for `history` seconds before the last sample through the end of the forecast;
 * never earlier than the first sample (a young series fills the plot rather than leaving it blank
 * on the left, which only widens the fan's share).
 */
export function windowFor(
  history: number,
  data: { firstSample: number; lastSample: number; forecastEnd: number },
): TimeWindow | undefined {
  const { firstSample, lastSample } = data;
  if (!Number.isFinite(lastSample)) return undefined;
  const to = Number.isFinite(data.forecastEnd) && data.forecastEnd > lastSample ? data.forecastEnd : lastSample;
  const from = Number.isFinite(firstSample) ? Math.max(firstSample, lastSample - history) : lastSample - history;
  return from < to ? { from, to } : { from: to - 1, to };
}

/** The share of the window's width the fan from `fanStart` to `fanEnd` takes (its visible part). */
export function fanShare(window: TimeWindow, fanStart: number, fanEnd: number): number {
  const width = window.to - window.from;
  if (!(width > 0) || !(fanEnd > fanStart)) return 0;
  const visible = Math.min(fanEnd, window.to) - Math.max(fanStart, window.from);
  return Math.max(0, visible) / width;
}

/** A window of `span` seconds centred on `t` (to jump to an event), inside [min, max] when it fits. */
export function windowAround(t: number, span: number, bounds?: TimeWindow): TimeWindow {
  let from = t - span / 2;
  let to = t + span / 2;
  if (bounds) {
    if (from < bounds.from) [from, to] = [bounds.from, Math.min(bounds.to, bounds.from + span)];
    else if (to > bounds.to) [from, to] = [Math.max(bounds.from, bounds.to - span), bounds.to];
  }
  return { from, to };
}
