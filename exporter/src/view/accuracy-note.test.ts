import { describe, expect, it } from 'vitest';
import { accuracyLines, firstTargets, untilText } from './accuracy-note.js';

const clock = (t: number) => `t${t}`;

describe('accuracyLines', () => {
  it('gives MASE and coverage once forecasts matured', () => {
    const lines = accuracyLines(
      [{ horizon: 300, mase: 0.8234, coverage: { '0.95': 0.93, '0.8': 0.79 }, evaluated: 288 }],
      { now: 0, firstTargets: new Map(), clock },
    );
    expect(lines).toEqual(['5m MASE 0.82 · 80% in band 0.79 · 95% in band 0.93 (288 forecasts)']);
  });

  it('says when the first forecast matures instead of a dash, and when there is none', () => {
    const lines = accuracyLines(
      [
        { horizon: 3600, mase: null, coverage: { '0.8': null }, evaluated: 0 },
        { horizon: 14400, mase: null, coverage: {}, evaluated: 0 },
      ],
      { now: 1000, firstTargets: new Map([[3600, 1000 + 25 * 60]]), clock },
    );
    expect(lines).toEqual([`1h: none matured yet, the first at t${1000 + 1500} (in 25m)`, '4h: no forecast yet']);
  });

  it('says why MASE is missing on a series that has not moved', () => {
    const [line] = accuracyLines([{ horizon: 300, mase: null, coverage: { '0.8': 1 }, evaluated: 3 }], {
      now: 0,
      firstTargets: new Map(),
      clock,
    });
    expect(line).toBe('5m MASE undefined (no change yet) · 80% in band 1.00 (3 forecasts)');
  });
});

describe('firstTargets and untilText', () => {
  it('takes the oldest remembered target, else the last sample plus the horizon', () => {
    const targets = firstTargets(
      [
        {
          horizon: 300,
          points: [
            [1300, 1, {}],
            [1600, 1, {}],
          ],
        },
      ],
      1000,
      [300, 3600],
    );
    expect([...targets]).toEqual([
      [300, 1300],
      [3600, 4600],
    ]);
    expect(firstTargets([], null, [300]).size).toBe(0);
  });

  it('rounds up to minutes', () => {
    expect(untilText(100, 100)).toBe('any moment now');
    expect(untilText(130, 100)).toBe('in 1m');
    expect(untilText(100 + 7500, 100)).toBe('in 2h5m');
    expect(untilText(100 + 7200, 100)).toBe('in 2h');
  });
});
