import { describe, expect, it } from 'vitest';
import { etsForecast, fitEts, type EtsState } from './ets.js';
import { dailySeries, seededUniform } from '../../test/fixtures/synthetic-series.js';

const noise = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
};

describe('ets', () => {
  it('learns a daily season and forecasts its shape', () => {
    const r = noise(7);
    const y = Array.from({ length: 2016 }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 288) + r());
    const s = fitEts(y, 300);
    expect(s.period).toBe(288);
    const { point } = etsForecast(s, 288);
    const truth = Array.from({ length: 288 }, (_, h) => 100 + 10 * Math.sin((2 * Math.PI * (2016 + h)) / 288));
    const mae = point.reduce((a, p, h) => a + Math.abs(p - truth[h]), 0) / 288;
    expect(mae).toBeLessThan(0.6);
  });

  it('picks a trend variant on a trending series and extrapolates it', () => {
    const r = noise(3);
    const y = Array.from({ length: 600 }, (_, i) => 0.5 * i + r());
    const s = fitEts(y, 300);
    expect(s.trend).not.toBe('N');
    expect(etsForecast(s, 10).point[9]).toBeGreaterThan(299 + 3);
  });

  it('skips gaps and widens bands with the horizon', () => {
    const r = noise(5);
    const y = Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? NaN : 20 + r()));
    const s = fitEts(y, 300);
    const { point, sd } = etsForecast(s, 48);
    expect(point.every(Number.isFinite)).toBe(true);
    expect(sd[47]).toBeGreaterThanOrEqual(sd[0]);
    expect(Math.abs(point[0] - 20)).toBeLessThan(0.5);
  });

  it('fits exactly as the one-variant-at-a-time implementation did (pinned to 1e-9 relative)', () => {
    // numbers from fitEts before its trend variants were optimised in lockstep (commit 27c74cd);
    // the lockstep run must take the same Nelder-Mead steps on the same objective values
    const sparse = seededUniform(3);
    const windows: Array<[string, number[], Partial<EtsState>]> = [
      [
        'a week of a daily season with noise and gaps',
        dailySeries({ points: 2016, noise: 3, seed: 11 }).values.map((v, i) => (i % 97 === 5 ? NaN : v)),
        {
          trend: 'N',
          period: 288,
          alpha: 0.00604835607197223,
          beta: 0,
          gamma: 0.000013398803896756979,
          phi: 1,
          level: 50.114383312843614,
          slope: 0,
          sigma2: 1.0374585726230106,
        },
      ],
      [
        'a trend without a season',
        dailySeries({ points: 700, amplitude: 0, trend: 0.05, noise: 2, seed: 5 }).values,
        {
          trend: 'Ad',
          period: 1,
          alpha: 0.07150045964218922,
          beta: 0.00973418702669441,
          phi: 0.9799683734534472,
          level: 85.03758230308293,
          slope: 0.055616323620732246,
          sigma2: 0.745295757039644,
        },
      ],
      [
        'mostly zeros with rare spikes',
        Array.from({ length: 2016 }, () => (sparse() < 0.03 ? 1000 * sparse() : 0)),
        {
          trend: 'N',
          period: 1,
          alpha: 0.005004424624580892,
          beta: 0,
          gamma: 0,
          phi: 1,
          level: 8.098754348237954,
          slope: 0,
          sigma2: 9641.720421192882,
        },
      ],
    ];
    for (const [name, y, pinned] of windows) {
      const s = fitEts(y, 300);
      for (const [key, want] of Object.entries(pinned)) {
        const got = s[key as keyof EtsState];
        if (typeof want === 'number') {
          expect(Math.abs((got as number) - want), `${name}: ${key}`).toBeLessThanOrEqual(1e-9 * Math.abs(want));
        } else expect(got, `${name}: ${key}`).toBe(want);
      }
      // the element type of the input changes nothing
      expect(fitEts(Float64Array.from(y), 300)).toEqual(s);
    }
  });
});
