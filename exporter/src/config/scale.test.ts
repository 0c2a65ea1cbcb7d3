/** The `series[].scale` block (cloudpulse_scale_metric) as the config loader checks it. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.js';

const entry = (scale: string, extra = '') =>
  `series:\n  - name: web\n    query: q\n    step: 1m\n    horizons: [5m, 15m]\n    levels: [0.8, 0.95]\n${extra}    scale: ${scale}\n`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'c.yml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('series[].scale', () => {
  it('accepts the defaults and every key', () => {
    expect(parseConfig(entry('{}'), 'c.yml').series[0].scale).toEqual({});
    const scale = parseConfig(entry('{lead_time: 10m, level: point, headroom: 0.2, min: 1, max: 100}'), 'c.yml')
      .series[0].scale;
    expect(scale).toEqual({ lead_time: 600, level: 'point', headroom: 0.2, min: 1, max: 100 });
    expect(parseConfig(entry('{pod_startup: 2m, level: 0.8}'), 'c.yml').series[0].scale).toEqual({
      pod_startup: 120,
      level: 0.8,
    });
  });

  it('names the key and what was expected', () => {
    expect(problems(entry('{level: 0.9}'))).toEqual([
      `series[0].scale.level: expected one of the entry's levels (0.8, 0.95) or "point", got 0.9`,
    ]);
    expect(problems(entry('{lead_time: 1h}'))).toEqual([
      'series[0].scale.lead_time: the lead time (1h) reaches past the longest horizon (15m); add a longer horizon or shorten it',
    ]);
    // the default lead time counts too: 14m start-up + 15 s sync + a 1 m step is past 15 m
    expect(problems(entry('{pod_startup: 14m}'))[0]).toMatch(
      /^series\[0\]\.scale\.pod_startup: the lead time \(15m15s\)/,
    );
    expect(problems(entry('{lead_time: 5m, pod_startup: 1m}'))).toEqual([
      'series[0].scale.pod_startup: give lead_time or pod_startup, not both',
    ]);
    expect(problems(entry('{min: 5, max: 1}'))).toEqual(['series[0].scale.max: expected max >= min (5), got 1']);
    expect(problems(entry('{headroom: -1}'))).toEqual([
      'series[0].scale.headroom: expected a fraction >= 0 such as 0.1',
    ]);
    expect(problems(entry('{lead: 5m}'))[0]).toMatch(/^series\[0\]\.scale\.lead: unknown key/);
  });
});
