/**
 * Checks across keys that the schema cannot express: PromQL syntax, and step, lookback, horizons,
 * refit interval and staleness that contradict each other. Errors stop start-up like schema
 * errors (key path and what was expected); warnings describe a value that is accepted but acts
 * differently from how it reads, and are logged by `cloudpulse run`.
 */
import { formatDuration } from '../util/duration.js';
import { promqlProblem } from './promql.js';
import type { Config, SeriesConfig } from './schema.js';

export interface ConfigWarning {
  /** key path, e.g. `series[0].refit_interval` */
  path: string;
  message: string;
}

/**
 * The fewest steps a lookback may hold. Every model fits on 24 points (lstm needs 24, mstl and
 * prophet 8); fewer gives bands from a handful of residuals and no season to learn.
 */
export const MIN_LOOKBACK_STEPS = 24;

/**
 * How long a label set may go unreturned before it leaves /metrics: `limits.stale_after`, but
 * never less than two steps and one interval, since a query at a coarse step returns nothing
 * between step boundaries (one missed boundary is not staleness).
 */
export function staleAfterSeconds(staleAfter: number, step: number, interval: number): number {
  return Math.max(staleAfter, 2 * step + interval);
}

const fmt = formatDuration;

/** a multiple of `step` when within a microsecond of one (durations are parsed from decimals) */
function stepsIn(duration: number, step: number): { whole: boolean; below: number; above: number } {
  const ratio = duration / step;
  const nearest = Math.round(ratio);
  const whole = Math.abs(duration - nearest * step) < 1e-6;
  return { whole, below: Math.max(1, Math.floor(ratio)), above: Math.max(1, Math.ceil(ratio)) };
}

function horizonErrors(s: SeriesConfig, at: string): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  s.horizons.forEach((h, k) => {
    const path = `${at}.horizons[${k}]`;
    const { whole, below, above } = stepsIn(h, s.step);
    if (h < s.step) {
      problems.push(
        `${path}: expected at least one step (step is ${fmt(s.step)}), got ${fmt(h)}; nearest valid horizon: ${fmt(s.step)}`,
      );
    } else if (!whole) {
      problems.push(
        `${path}: expected a whole number of steps (step is ${fmt(s.step)}), got ${fmt(h)}; nearest valid horizons: ${fmt(below * s.step)} or ${fmt(above * s.step)}`,
      );
    }
    const first = seen.get(h);
    if (first !== undefined) {
      problems.push(`${path}: expected distinct horizons, ${fmt(h)} repeats horizons[${first}]`);
    } else seen.set(h, k);
  });
  return problems;
}

function seriesErrors(s: SeriesConfig, i: number, checkQuery: boolean): string[] {
  const at = `series[${i}]`;
  const problems: string[] = [];
  if (checkQuery) {
    const problem = promqlProblem(s.query);
    if (problem) problems.push(`${at}.query: ${problem}`);
  }
  if (s.step > s.lookback) {
    problems.push(`${at}.lookback: expected a lookback longer than the step (${fmt(s.step)}), got ${fmt(s.lookback)}`);
  } else if (s.lookback < MIN_LOOKBACK_STEPS * s.step) {
    problems.push(
      `${at}.lookback: expected at least ${MIN_LOOKBACK_STEPS} steps of history (${fmt(MIN_LOOKBACK_STEPS * s.step)} at step ${fmt(s.step)}), got ${fmt(s.lookback)} (${Math.floor(s.lookback / s.step)} steps)`,
    );
  }
  problems.push(...horizonErrors(s, at));
  const levels = new Map<number, number>();
  s.levels.forEach((level, k) => {
    const first = levels.get(level);
    if (first !== undefined)
      problems.push(`${at}.levels[${k}]: expected distinct levels, ${level} repeats levels[${first}]`);
    else levels.set(level, k);
  });
  return problems;
}

/** Contradictions that stop start-up, each as `key.path: what was expected, got what`. */
export function semanticErrors(config: Config): string[] {
  const checkQuery = config.source.prometheus?.query_syntax !== 'unchecked';
  return config.series.flatMap((s, i) => seriesErrors(s, i, checkQuery));
}

/** Values that are accepted but act differently from how they read, for `cloudpulse run` to log. */
export function configWarnings(config: Config): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const { interval } = config.schedule;
  const staleAfter = config.limits.stale_after;
  config.series.forEach((s, i) => {
    const at = `series[${i}]`;
    if (s.refit_interval < interval) {
      warnings.push({
        path: `${at}.refit_interval`,
        message: `${fmt(s.refit_interval)} is shorter than schedule.interval (${fmt(interval)}); fits start at most once a cycle, so "${s.name}" refits every ${fmt(interval)}`,
      });
    }
    // a floor below one step cannot mean what it says; between one step and the floor the
    // documented rule applies quietly (the shipped 15m with a 15m step is such a case)
    if (staleAfter < s.step) {
      const effective = staleAfterSeconds(staleAfter, s.step, interval);
      warnings.push({
        path: 'limits.stale_after',
        message: `${fmt(staleAfter)} is shorter than one step of "${s.name}" (${at}.step ${fmt(s.step)}); staleness is judged in steps, so its label sets leave /metrics after ${fmt(effective)} unreturned (two steps and one schedule.interval)`,
      });
    }
    const longest = Math.max(...s.horizons);
    if (longest > s.lookback) {
      warnings.push({
        path: `${at}.horizons`,
        message: `the longest horizon (${fmt(longest)}) reaches further ahead than ${at}.lookback (${fmt(s.lookback)}) looks back; models fitted on less history than they extrapolate give wide, weak bands`,
      });
    }
  });
  return warnings;
}
