/**
 * Live accuracy in words, per horizon: the rolling MASE and band coverage once forecasts have
 * matured, and before that when the first one will (a forecast matures when the actual at its
 * target time arrives), rather than a dash.
 */
import { horizonLabel } from './levels.js';

type Num = number | null | undefined;

export interface HorizonAccuracyView {
  horizon: number;
  mase: Num;
  coverage: Record<string, Num>;
  evaluated?: number;
}

const fixed = (v: Num, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : undefined);
const percent = (level: string) => `${Math.round(Number(level) * 100)}%`;

/** "in 25m", "in 2h5m", "any moment now": how long until `t`, from `now`, in whole minutes. */
export function untilText(t: number, now: number): string {
  const minutes = Math.ceil((t - now) / 60);
  if (!(minutes > 0)) return 'any moment now';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `in ${h > 0 ? `${h}h` : ''}${m > 0 || h === 0 ? `${m}m` : ''}`;
}

/**
 * The earliest target time still waiting per horizon: the oldest remembered past forecast's target
 * when it has not arrived yet, else the newest forecast's (the last sample plus the horizon).
 */
export function firstTargets(
  pastForecasts: Array<{ horizon: number; points: Array<[number, ...unknown[]]> }>,
  lastSample: number | null | undefined,
  horizons: number[],
): Map<number, number> {
  const out = new Map<number, number>();
  for (const horizon of horizons) {
    const oldest = pastForecasts.find((p) => p.horizon === horizon)?.points[0]?.[0];
    if (typeof oldest === 'number') out.set(horizon, oldest);
    else if (typeof lastSample === 'number') out.set(horizon, lastSample + horizon);
  }
  return out;
}

/**
 * One line per horizon: "5m MASE 0.82 · 80% in band 0.79 · 95% in band 0.93 (288 forecasts)", or
 * "1h: none matured yet, the first at 14:35 (in 25m)". `clock` formats a time.
 */
export function accuracyLines(
  accuracy: HorizonAccuracyView[],
  context: { now: number; firstTargets: Map<number, number>; clock: (t: number) => string },
): string[] {
  return accuracy.map((a) => {
    const label = horizonLabel(a.horizon);
    const evaluated = a.evaluated ?? 0;
    if (evaluated === 0) {
      const due = context.firstTargets.get(a.horizon);
      if (due === undefined) return `${label}: no forecast yet`;
      return `${label}: none matured yet, the first at ${context.clock(due)} (${untilText(due, context.now)})`;
    }
    const coverage = Object.entries(a.coverage)
      .sort(([x], [y]) => Number(x) - Number(y))
      .map(([level, c]) => `${percent(level)} in band ${fixed(c) ?? '–'}`);
    // MASE is undefined while the series has not moved at all (its naive scale is 0)
    const mase = fixed(a.mase) ?? 'undefined (no change yet)';
    return [`${label} MASE ${mase}`, ...coverage].join(' · ') + ` (${evaluated} forecasts)`;
  });
}
