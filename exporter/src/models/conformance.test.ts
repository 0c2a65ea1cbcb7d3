/**
 * One conformance suite run over every model in MODELS (sktime-style): the same contract checks
 * for each, with a small capability table for what a model may legitimately not do.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MODELS } from './index.js';
import type { FittedModel, ForecastResult } from './types.js';
import { ModelError } from './types.js';
import { fitWithFallback } from './fallback.js';
import { forecastProblem } from './forecast-check.js';

interface Capabilities {
  /** model absorbs new points without refitting, so forecasts shift exactly on its own predictions */
  exactUpdate: boolean;
  /** fed its own point forecasts, the forecast shifts exactly (false for combinations) */
  shiftsOnOwnForecast: boolean;
  /** fed gaps, the forecast shifts exactly (false when the mix of members depends on the step ahead) */
  shiftsOnGaps: boolean;
  /** per-test timeout in ms for slow (wasm / neural) models */
  timeoutMs: number;
  /** fewer points than this must be refused with a ModelError (0: any length must fit) */
  minPoints: number;
  /** generated series per model in the property test (each is a fit) */
  propertyRuns: number;
  /** on generated series the model may throw a ModelError, and the fallback chain answers */
  mayRefuse: boolean;
}
const DEFAULT: Capabilities = {
  exactUpdate: true,
  shiftsOnOwnForecast: true,
  shiftsOnGaps: true,
  timeoutMs: 20_000,
  minPoints: 0,
  propertyRuns: 60,
  mayRefuse: false,
};
/** Only deviations from the default are listed, each with its reason. */
const CAPABILITIES: Record<string, Partial<Capabilities>> = {
  // each member is fed the combined forecast, not its own; gaps still shift it exactly
  ensemble: { shiftsOnOwnForecast: false },
  // the same when auto serves the mean of its two best candidates; and its first hour may come
  // from another candidate than the rest, a split that moves with the origin
  auto: { shiftsOnOwnForecast: false, shiftsOnGaps: false },
  // augurs models re-run their decomposition / optimiser on update
  // and need a minimum history (their own fallback is the pipeline's fallback model)
  mstl: { exactUpdate: false, timeoutMs: 60_000, minPoints: 8, propertyRuns: 20, mayRefuse: true },
  prophet: { exactUpdate: false, timeoutMs: 60_000, minPoints: 8, propertyRuns: 20, mayRefuse: true },
  lstm: { exactUpdate: false, timeoutMs: 240_000, minPoints: 24, propertyRuns: 4, mayRefuse: true },
};

const STEP = 300;
const DAY = 288;
const LEVELS = [0.8, 0.95];

/** deterministic daily-seasonal series with noise and two gaps */
function seasonalSeries(n: number): number[] {
  let seed = 12345;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const values = Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / DAY) + 3 * noise());
  for (let i = 100; i < 110; i++) values[i] = NaN;
  for (let i = n - 40; i < n - 37; i++) values[i] = NaN;
  return values;
}

function expectValidForecast(result: ForecastResult, horizon: number): void {
  expect(result.point).toHaveLength(horizon);
  expect(result.intervals.map((iv) => iv.level)).toEqual(LEVELS);
  const [i80, i95] = result.intervals;
  for (let h = 0; h < horizon; h++) {
    const p = result.point[h];
    expect(Number.isFinite(p), `point ${h} finite`).toBe(true);
    for (const iv of result.intervals) {
      expect(iv.lower).toHaveLength(horizon);
      expect(iv.upper).toHaveLength(horizon);
      expect(Number.isFinite(iv.lower[h]) && Number.isFinite(iv.upper[h]), `band ${h} finite`).toBe(true);
      expect(iv.lower[h]).toBeLessThanOrEqual(p + 1e-9);
      expect(iv.upper[h]).toBeGreaterThanOrEqual(p - 1e-9);
    }
    expect(i95.upper[h] - i95.lower[h]).toBeGreaterThanOrEqual(i80.upper[h] - i80.lower[h] - 1e-9);
  }
}

const series = seasonalSeries(4 * DAY);

/**
 * Histories that break naive band arithmetic, as fast-check generates them: sparse spikes on
 * zeros, a constant run with one outlier, level steps, integer counts, each scaled to huge or
 * tiny magnitudes, at 1-minute to hourly steps, with a long gap (NaN run) anywhere, the end
 * included. Every one has at least two distinct finite values.
 */
const shapes = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 2, max: 700 }),
      fc.integer({ min: 1, max: 6 }),
      fc.double({ min: 1, max: 1e6, noNaN: true }),
    )
    .chain(([n, spikes, height]) =>
      fc
        .array(fc.integer({ min: 0, max: n - 1 }), { minLength: spikes, maxLength: spikes })
        .map((at) => Array.from({ length: n }, (_, i) => (at.includes(i) ? height * (1 + (i % 3)) : 0))),
    ),
  fc
    .tuple(
      fc.integer({ min: 2, max: 700 }),
      fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
    )
    .chain(([n, level, jump]) =>
      fc
        .integer({ min: 0, max: n - 1 })
        .map((at) => Array.from({ length: n }, (_, i) => (i === at ? level + jump : level))),
    ),
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: -50, max: 50 })), {
      minLength: 2,
      maxLength: 6,
    })
    .map((runs) => runs.flatMap(([length, level]) => new Array<number>(length).fill(level))),
  fc.array(fc.nat({ max: 3 }), { minLength: 2, maxLength: 700 }).map((counts) => counts.map((c) => (c === 3 ? 12 : c))),
);

const histories = fc
  .tuple(
    shapes,
    fc.constantFrom(1, 1e-9, 1e9, 1e140),
    fc.constantFrom(60, 300, 3600),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 0.4, noNaN: true }),
  )
  .map(([shape, scale, step, where, share]) => {
    const values = shape.map((v) => v * scale);
    const length = Math.floor(values.length * share);
    const from = Math.floor((values.length - length) * where);
    for (let i = from; i < from + length; i++) values[i] = NaN;
    return { values, step, start: 1_700_000_000 };
  })
  .filter(({ values }) => new Set(values.filter(Number.isFinite)).size >= 2);
const fitOn = (values: number[]) => ({ values, step: STEP, start: 1_700_000_000 });

for (const [name, factory] of Object.entries(MODELS)) {
  const caps = { ...DEFAULT, ...CAPABILITIES[name] };
  describe(`model conformance: ${name}`, () => {
    it('fits a seasonal series with gaps and forecasts valid, nested bands', { timeout: caps.timeoutMs }, async () => {
      const fitted = await factory.fit(fitOn(series));
      expect(fitted.name).toBe(name);
      expect(fitted.description.length).toBeGreaterThan(0);
      const result = fitted.forecast(48, LEVELS);
      expectValidForecast(result, 48);
      const width = (k: number): number =>
        result.intervals[k].upper.reduce((s, u, h) => s + u - result.intervals[k].lower[h], 0);
      expect(width(1)).toBeGreaterThan(width(0));
    });

    it('round-trips through JSON with identical forecasts', { timeout: caps.timeoutMs }, async () => {
      const fitted = await factory.fit(fitOn(series));
      const restored = factory.restore(JSON.parse(JSON.stringify(fitted.toJSON())));
      expect(restored.forecast(48, LEVELS)).toEqual(fitted.forecast(48, LEVELS));
      fitted.update(series.slice(0, 30));
      restored.update(series.slice(0, 30));
      expect(restored.forecast(12, LEVELS)).toEqual(fitted.forecast(12, LEVELS));
    });

    it(
      'update() moves the origin: fed its own forecasts or gaps, the forecast shifts',
      { timeout: caps.timeoutMs },
      async () => {
        const fitted = await factory.fit(fitOn(series));
        const before = fitted.forecast(60, LEVELS).point;
        fitted.update(before.slice(0, 6));
        const after = fitted.forecast(54, LEVELS);
        expectValidForecast(after, 54);
        if (caps.exactUpdate && caps.shiftsOnOwnForecast)
          after.point.forEach((p, i) => expect(p).toBeCloseTo(before[i + 6], 6));
        if (caps.exactUpdate && caps.shiftsOnGaps) {
          const gap: FittedModel = await factory.fit(fitOn(series));
          gap.update(new Array<number>(6).fill(NaN));
          gap.forecast(54, LEVELS).point.forEach((p, i) => expect(p).toBeCloseTo(before[i + 6], 6));
        }
      },
    );

    it('update() costs time per new point, not a refit', { timeout: caps.timeoutMs }, async () => {
      const t0 = performance.now();
      const fitted = await factory.fit(fitOn(series));
      const fitMs = performance.now() - t0;
      const t1 = performance.now();
      for (let i = 0; i < 50; i++) fitted.update([series[i]]);
      const updateMs = performance.now() - t1;
      if (caps.exactUpdate) expect(updateMs).toBeLessThan(Math.max(5 * fitMs, 5));
      expectValidForecast(fitted.forecast(12, LEVELS), 12);
    });

    it(
      'on any history with two distinct values, forecasts bands of width (or refuses, and the fallback chain answers)',
      { timeout: caps.timeoutMs * 4 },
      async () => {
        await fc.assert(
          fc.asyncProperty(histories, async (input) => {
            let own: ForecastResult | undefined;
            try {
              own = (await factory.fit(input)).forecast(48, LEVELS);
            } catch (err) {
              if (!caps.mayRefuse || !(err instanceof ModelError)) throw err;
            }
            if (own) expect(forecastProblem(input.values, own)).toBeUndefined();
            const fit = await fitWithFallback(name, input, { horizon: 48, levels: LEVELS });
            expect(forecastProblem(input.values, fit.model.forecast(48, LEVELS))).toBeUndefined();
            if (own) expect(fit.served).toBe(name);
          }),
          { numRuns: caps.propertyRuns, seed: 20261207 },
        );
      },
    );

    it('copes with a constant series and a very short one', { timeout: caps.timeoutMs }, async () => {
      const constant = await factory.fit(fitOn(new Array<number>(3 * DAY).fill(7)));
      const c = constant.forecast(24, LEVELS);
      expectValidForecast(c, 24);
      c.point.forEach((p) => expect(p).toBeCloseTo(7, 6));
      const tiny = [3, 4, NaN, 5, 4];
      if (caps.minPoints > tiny.length) {
        await expect(factory.fit(fitOn(tiny))).rejects.toThrow(ModelError);
      } else {
        const short = await factory.fit(fitOn(tiny));
        expectValidForecast(short.forecast(12, LEVELS), 12);
      }
    });
  });
}
