import { describe, expect, it } from 'vitest';
import { seededGaussian } from '../../test/fixtures/synthetic-series.js';
import { AdaptiveCalibration } from './adaptive-calibration.js';
import { bandsFromSd } from './normal-bands.js';
import type { ForecastResult } from './types.js';

const STEP = 300;
const LEVELS = [0.8, 0.95];
const H = 48;

/** A model that knows the mean and the noise, but states its spread `factor` times too wide. */
function misstated(factor: number, sd: number): ForecastResult {
  return bandsFromSd(new Array<number>(H).fill(10), new Array<number>(H).fill(factor * sd), LEVELS);
}

/** Replay `days` of noise with a noise level that doubles halfway; coverage of the served bands per level over the last `scoredDays`. */
function replay(factor: number, days: number, scoredDays: number, shift = false): number[] {
  const g = seededGaussian(7);
  const n = days * 288;
  const y = Array.from({ length: n }, (_, i) => 10 + (shift && i > n / 2 ? 2 : 1) * g());
  const calibration = new AdaptiveCalibration({ step: STEP, horizons: [12, 48], levels: LEVELS });
  const inside = [0, 0];
  let total = 0;
  for (let t = 0; t + H < n; t++) {
    // the model's idea of the noise is fixed at fit time: it never sees the shift
    const raw = misstated(factor, 1);
    calibration.record(t * STEP, raw);
    const served = calibration.adjust(raw);
    if (t >= n - scoredDays * 288 - H) {
      for (let h = 1; h <= H; h++) {
        served.intervals.forEach((iv, k) => {
          if (y[t + h] >= iv.lower[h - 1] && y[t + h] <= iv.upper[h - 1]) inside[k]++;
        });
        total++;
      }
    }
    calibration.observe((t + 1) * STEP, y[t + 1]);
  }
  return inside.map((c) => c / total);
}

describe('adaptive conformal calibration', () => {
  it('brings bands 2x too narrow and 2x too wide to their stated coverage', () => {
    for (const factor of [0.5, 2]) {
      const [c80, c95] = replay(factor, 42, 35);
      expect(c80, `80% with bands x${factor}`).toBeGreaterThan(0.77);
      expect(c80, `80% with bands x${factor}`).toBeLessThan(0.83);
      expect(c95, `95% with bands x${factor}`).toBeGreaterThan(0.93);
      expect(c95, `95% with bands x${factor}`).toBeLessThan(0.97);
    }
  });

  it('follows a doubling of the noise that the model never learns about', () => {
    const [c80, c95] = replay(1, 28, 7, true);
    expect(c80).toBeGreaterThan(0.75);
    expect(c95).toBeGreaterThan(0.92);
  });

  it('never serves a band narrower than the series can be read, even after a day of exact forecasts', () => {
    for (const score of ['excess', 'ratio'] as const) exactCount(score);
  });

  function exactCount(score: 'excess' | 'ratio'): void {
    const calibration = new AdaptiveCalibration({ step: STEP, horizons: [1, 12], levels: LEVELS, score });
    // an integer count that sat at 12: every forecast exact, every score 0, multipliers 0
    const exact = bandsFromSd(new Array<number>(12).fill(12), new Array<number>(12).fill(0.5), LEVELS);
    for (let t = 0; t < 3 * 288; t++) {
      calibration.record(t * STEP, exact);
      calibration.observe((t + 1) * STEP, 12);
    }
    // exact forecasts narrow the band as far as it goes: a multiplier of 0, or minus its width
    const [, m95] = calibration.multiplierTable()[0];
    if (score === 'ratio') expect(m95).toBe(0);
    else expect(m95).toBeLessThan(-0.5);
    const served = calibration.adjust(exact);
    for (const iv of served.intervals) {
      expect(iv.upper[0] - iv.lower[0]).toBe(1);
    }
    const restored = AdaptiveCalibration.restore(JSON.parse(JSON.stringify(calibration.toJSON())));
    expect(restored.adjust(exact)).toEqual(served);
  }

  /** Three days of unit noise forecast with bands of half its spread; the model's own forecast. */
  function halfSpread(calibration: AdaptiveCalibration): ForecastResult {
    const raw = misstated(0.5, 1);
    expect(calibration.adjust(raw)).toEqual(raw);
    const g = seededGaussian(3);
    for (let t = 0; t < 3 * 288; t++) {
      calibration.record(t * STEP, raw);
      calibration.observe((t + 1) * STEP, 10 + g());
    }
    return raw;
  }

  it('serves the model bands until enough actuals are scored, then widens every step by the excess', () => {
    // the plain conformal quantile (no adaptive step: three days hold too few scores to average
    // its random walk out; the noise-doubling test above exercises it)
    const calibration = new AdaptiveCalibration({ step: STEP, horizons: [12, 48], levels: LEVELS, gamma: 0 });
    const raw = halfSpread(calibration);
    const table = calibration.multiplierTable();
    // a 95% band of half the true spread misses by about 1.96 - 0.98 = 0.98 at its edge
    for (const row of table) expect(row[1]).toBeGreaterThan(0.6);
    for (const row of table) expect(row[1]).toBeLessThan(1.4);
    const served = calibration.adjust(raw);
    const width = (h: number, k: number) => served.intervals[k].upper[h - 1] - served.intervals[k].lower[h - 1];
    const own = (h: number, k: number) => raw.intervals[k].upper[h - 1] - raw.intervals[k].lower[h - 1];
    expect((width(1, 1) - own(1, 1)) / 2).toBeCloseTo(table[0][1], 5);
    expect((width(48, 1) - own(48, 1)) / 2).toBeCloseTo(table[1][1], 5);
    const halfway = (table[0][1] + table[1][1]) / 2;
    expect((width(30, 1) - own(30, 1)) / 2).toBeCloseTo(halfway, 5);
    for (let h = 1; h <= H; h++) expect(width(h, 1)).toBeGreaterThanOrEqual(width(h, 0));
  });

  it('with ratio scores, scales every step by the multiplier', () => {
    const calibration = new AdaptiveCalibration({ step: STEP, horizons: [12, 48], levels: LEVELS, score: 'ratio' });
    const raw = halfSpread(calibration);
    const table = calibration.multiplierTable();
    // bands at half the true spread need about twice the width
    for (const row of table) for (const m of row) expect(m).toBeGreaterThan(1.5);
    const served = calibration.adjust(raw);
    const width = (h: number, k: number) => served.intervals[k].upper[h - 1] - served.intervals[k].lower[h - 1];
    const own = (h: number, k: number) => raw.intervals[k].upper[h - 1] - raw.intervals[k].lower[h - 1];
    expect(width(1, 1) / own(1, 1)).toBeCloseTo(table[0][1], 5);
    expect(width(48, 1) / own(48, 1)).toBeCloseTo(table[1][1], 5);
    const halfway = (table[0][1] + table[1][1]) / 2;
    expect(width(30, 1) / own(30, 1)).toBeCloseTo(halfway, 5);
    // nested: the 95% band contains the 80% band at every step
    for (let h = 1; h <= H; h++) expect(width(h, 1)).toBeGreaterThanOrEqual(width(h, 0));
  });

  it('keeps one forecast per sampling interval and a fixed memory whatever the step', () => {
    const fiveMinutes = new AdaptiveCalibration({ step: 300, horizons: [12, 48], levels: LEVELS });
    expect(fiveMinutes.options.sampleSeconds).toBe(2400);
    const fifteenSeconds = new AdaptiveCalibration({ step: 15, horizons: [240, 960], levels: LEVELS });
    expect(fifteenSeconds.options.sampleSeconds).toBeGreaterThanOrEqual(2362);
    const hourly = new AdaptiveCalibration({ step: 3600, horizons: [1, 4], levels: LEVELS });
    expect(hourly.options.sampleSeconds).toBe(3600);
    expect(hourly.options.capacity).toBe(168);
    const g = seededGaussian(5);
    for (let t = 0; t < 30 * 288; t++) {
      fiveMinutes.record(t * 300, misstated(1, 1));
      fiveMinutes.observe((t + 1) * 300, 10 + g());
    }
    expect(fiveMinutes.scoreCounts()).toEqual([252, 252]);
    expect(JSON.stringify(fiveMinutes.toJSON()).length).toBeLessThan(7000);
  });

  it('restores from JSON and carries on identically', () => {
    const a = new AdaptiveCalibration({ step: STEP, horizons: [12, 48], levels: LEVELS });
    const g = seededGaussian(11);
    const y = Array.from({ length: 2000 }, () => 10 + g());
    const raw = misstated(2, 1);
    for (let t = 0; t < 1000; t++) {
      a.record(t * STEP, raw);
      a.observe((t + 1) * STEP, y[t]);
    }
    const b = AdaptiveCalibration.restore(JSON.parse(JSON.stringify(a.toJSON())));
    expect(b.adjust(raw)).toEqual(a.adjust(raw));
    for (let t = 1000; t < 2000; t++) {
      for (const c of [a, b]) {
        c.record(t * STEP, raw);
        c.observe((t + 1) * STEP, y[t]);
      }
    }
    expect(b.multiplierTable()).toEqual(a.multiplierTable());
    expect(() => AdaptiveCalibration.restore({ version: 9 } as never)).toThrow(/cannot restore/);
    const old = new AdaptiveCalibration({ step: STEP, horizons: [1], levels: [0.9] }).toJSON();
    const { score: _score, ...before } = old.options;
    expect(() => AdaptiveCalibration.restore({ ...old, options: before } as never)).toThrow(/earlier ratio/);
  });

  it('ignores gaps and refuses bad options', () => {
    const c = new AdaptiveCalibration({ step: STEP, horizons: [1], levels: [0.9] });
    c.record(0, misstated(1, 1));
    c.observe(STEP, NaN);
    expect(c.scoreCounts()).toEqual([0]);
    expect(() => new AdaptiveCalibration({ step: STEP, horizons: [0], levels: [0.9] })).toThrow(/horizons/);
    expect(() => new AdaptiveCalibration({ step: STEP, horizons: [1], levels: [95] })).toThrow(/levels/);
  });
});
