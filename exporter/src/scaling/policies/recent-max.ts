/** Simple causal baseline: the highest load of the last 30 minutes (covers a repeat of any recent burst). */
import { stepsIn, type ScalingPolicy } from './types.js';

const WINDOW_SECONDS = 1800;

/** max of x[i - w + 1..i], NaN skipped, with a monotone deque in O(n) */
export function slidingMax(x: ArrayLike<number>, w: number): Float64Array {
  const out = new Float64Array(x.length);
  const deque = new Int32Array(x.length);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) {
      while (tail > head && x[deque[tail - 1]] <= x[i]) tail--;
      deque[tail++] = i;
    }
    while (tail > head && deque[head] <= i - w) head++;
    out[i] = tail > head ? x[deque[head]] : NaN;
  }
  return out;
}

export const recentMax: ScalingPolicy = {
  name: 'recent_max',
  summary: 'max of the last 30 minutes',
  metric: (ctx) => slidingMax(ctx.load, stepsIn(WINDOW_SECONDS, ctx.step)),
};
