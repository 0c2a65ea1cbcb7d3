import { describe, expect, it } from 'vitest';
import { seasonalNaive } from './seasonal-naive.js';
import { forecastProblem } from './forecast-check.js';

const result = (point: number[], lower: number[], upper: number[], level = 0.8) => ({
  point,
  intervals: [{ level, lower, upper }],
});
const varying = [1, 2, 3, 2, 1];

describe('forecast output check', () => {
  it('passes finite forecasts with bands that have width', () => {
    expect(forecastProblem(varying, result([2, 2], [1, 0.5], [3, 3.5]))).toBeUndefined();
  });

  it('names non-finite points and bands with their step and level', () => {
    expect(forecastProblem(varying, result([2, NaN], [1, 1], [3, 3]))).toBe(
      'a non-finite point forecast (NaN) at step 2',
    );
    expect(forecastProblem(varying, result([2], [-Infinity], [Infinity], 0.95))).toBe(
      'a non-finite 95% band [-Infinity, Infinity] at step 1',
    );
  });

  it('rejects collapsed bands from history that varies, but not from constant history', () => {
    expect(forecastProblem(varying, result([2], [2], [2]))).toBe(
      'a 80% band of no width [2, 2] at step 1 from history that varies',
    );
    // a band narrower than the precision of its bounds is no band either
    expect(forecastProblem([1e150, 2e150], result([1e150], [1e150], [1e150 * (1 + Number.EPSILON)]))).toContain(
      'band of no width',
    );
    expect(forecastProblem([3, 3, NaN, 3], result([3], [3], [3]))).toBeUndefined();
  });

  it('catches what a real model makes of values near the largest double', async () => {
    const values = Array.from({ length: 300 }, (_, i) => 1e307 * (5 + 4 * Math.sin((2 * Math.PI * i) / 24)));
    const fitted = await seasonalNaive.fit({ values, step: 300, start: 0 });
    expect(forecastProblem(values, fitted.forecast(3, [0.8]))).toMatch(/non-finite/);
  });
});
