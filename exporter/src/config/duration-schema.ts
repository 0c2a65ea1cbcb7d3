/** The schema of a duration value, shared by the config's sections. */
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/** A Prometheus duration string ("5m", "1h30m"), parsed to seconds. */
export const duration = (what = 'a duration such as "5m" or "1h30m"') =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const seconds = typeof value === 'number' ? value : parseDuration(value);
    if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return seconds;
  });
