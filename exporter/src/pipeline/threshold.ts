/**
 * Time to threshold: how long until a forecast path first crosses a level, for "disk full in 4
 * hours" alerts. Pure function over the forecast path; linear interpolation between steps.
 */

/**
 * Seconds from the origin until `path` (values at origin + (i+1)*step) first reaches `threshold`
 * from below, starting from `current`; undefined when it does not cross within the path.
 * Already at or above the threshold counts as 0.
 */
export function secondsToThreshold(
  current: number,
  path: ArrayLike<number>,
  step: number,
  threshold: number,
): number | undefined {
  if (Number.isFinite(current) && current >= threshold) return 0;
  let prev = current;
  for (let i = 0; i < path.length; i++) {
    const v = path[i];
    if (Number.isFinite(v) && v >= threshold) {
      if (!Number.isFinite(prev) || prev === v) return (i + 1) * step;
      const frac = (threshold - prev) / (v - prev);
      return (i + Math.min(1, Math.max(0, frac))) * step;
    }
    prev = v;
  }
  return undefined;
}
