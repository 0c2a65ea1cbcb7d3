/**
 * What a worker does next when no command waits, in order: first fits (so every series forecasts
 * soon), then due refits, then the detector warm-up over loaded history. Refits are found by one
 * scan of all units, so 10k refits due at once (after a first load) cost one scan, not one per fit.
 */
import type { SeriesUnit } from './series-unit.js';

export type BackgroundWork = { unit: SeriesUnit; work: 'fit' | 'warmup' };

/** true when a unit may be fitted now: not fitted per entry, not fitting or loading, and due */
export function fitIsDue(unit: SeriesUnit, now: number): boolean {
  return !unit.entryModel && !unit.fitting && !unit.loading && unit.history.length >= 2 && unit.fitDue <= now;
}

export class WorkQueues {
  readonly firstFits = new Set<string>();
  readonly warmups = new Set<string>();
  /** no unit's fit is due before this clock time (a lower bound; -Infinity means scan again) */
  private earliestDue = -Infinity;
  /** units found due by the last scan, not yet fitted */
  private dueQueue: string[] = [];

  constructor(private readonly units: ReadonlyMap<string, SeriesUnit>) {}

  /** refits found due and waiting */
  get refitsWaiting(): number {
    return this.dueQueue.length;
  }

  forget(key: string): void {
    this.firstFits.delete(key);
    this.warmups.delete(key);
  }

  /** after work on a unit: when it next needs a fit */
  noteDue(unit: SeriesUnit): void {
    this.earliestDue = Math.min(this.earliestDue, unit.fitDue);
  }

  /** the next unit waiting for its first fit; keys no longer waiting leave the queue */
  nextFirstFit(now: number): SeriesUnit | undefined {
    for (const key of this.firstFits) {
      const unit = this.units.get(key);
      if (unit && fitIsDue(unit, now)) return unit;
      this.firstFits.delete(key);
    }
    return undefined;
  }

  /** A unit whose (re)fit is due; refits are spread by each series' phase (see the worker's fit). */
  private dueRefit(now: number): SeriesUnit | undefined {
    // the head stays queued until fitted (a peek from hasBackgroundWork must not lose it)
    while (this.dueQueue.length > 0) {
      const unit = this.units.get(this.dueQueue[this.dueQueue.length - 1]);
      if (unit && fitIsDue(unit, now)) return unit;
      this.dueQueue.pop();
    }
    if (now < this.earliestDue) return undefined;
    let earliest = Infinity;
    for (const unit of this.units.values()) {
      if (fitIsDue(unit, now)) this.dueQueue.push(unit.key);
      else if (!unit.fitting) earliest = Math.min(earliest, unit.fitDue);
    }
    // oldest first: popped from the end
    this.dueQueue.reverse();
    this.earliestDue = this.dueQueue.length > 0 ? -Infinity : earliest;
    return this.dueQueue.length > 0 ? this.units.get(this.dueQueue[this.dueQueue.length - 1]) : undefined;
  }

  /** first fits, then due refits, then detector warm-ups */
  next(now: number): BackgroundWork | undefined {
    const fit = this.nextFirstFit(now) ?? this.dueRefit(now);
    if (fit) return { unit: fit, work: 'fit' };
    for (const key of this.warmups) {
      const unit = this.units.get(key);
      if (unit && !unit.suspended) {
        // history still loading: its points are scored once the load is complete
        if (!unit.loading) return { unit, work: 'warmup' };
        continue;
      }
      this.warmups.delete(key);
    }
    return undefined;
  }
}
