import { describe, expect, it } from 'vitest';
import { createLstm, restoreLstmSeries } from './lstm.js';
import { loadTf } from './tf.js';
import { forward } from './lstm/network.js';
import { buildLayers, extractWeights } from './lstm/train.js';
import { referenceIndex, splitOrigins } from './lstm/windows.js';
import { dailySeries, seededUniform } from '../../test/fixtures/synthetic-series.js';

const messages: string[] = [];
// small and quick: the tests check behaviour, not accuracy at production size
const lstm = createLstm({ window: 24, units: 8, epochs: 3, maxWindows: 256, log: (m) => messages.push(m) });
const DAY = 288;

describe('lstm windows', () => {
  it('takes the seasonal reference from the past only', () => {
    for (const k of [1, 5, 288, 289, 600]) {
      const i = referenceIndex(1000, k, 288);
      expect(i).toBeLessThanOrEqual(1000);
      expect((1000 + k - i) % 288).toBe(0);
    }
  });

  it('splits origins by time and skips windows whose targets have gaps', () => {
    const observed = Array.from({ length: 200 }, (_, i) => i !== 150);
    const { train, validation } = splitOrigins(observed, { window: 10, outputs: 5, season: 0 }, 0.2);
    expect(Math.max(...train) + 5).toBeLessThanOrEqual(Math.min(...validation));
    for (const t of [...train, ...validation]) expect(t < 145 || t >= 150).toBe(true);
  });
});

describe('lstm network', () => {
  it('the hand-written forward pass matches TensorFlow.js', async () => {
    const { tf, backend } = await loadTf({ log: (m) => messages.push(m) });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    const shape = { window: 12, outputs: 6, units: 5, seed: 7 };
    const net = buildLayers(tf, shape);
    const weights = await extractWeights(net, shape);
    const uniform = seededUniform(3);
    const input = Array.from({ length: shape.window }, () => uniform() * 2 - 1);
    const reference = Array.from({ length: shape.outputs }, () => uniform() * 2 - 1);
    const x = tf.tensor3d(input, [1, shape.window, 1]);
    const r = tf.tensor2d(reference, [1, shape.outputs]);
    const y = net.model.predict([x, r]) as ReturnType<typeof tf.tensor2d>;
    const expected = Array.from(await y.data());
    const actual = forward(weights, input, reference);
    expected.forEach((v, k) => expect(actual[k]).toBeCloseTo(v, 4));
    [x, r, y].forEach((t) => t.dispose());
    net.model.dispose();
  });
});

describe('lstm global fit', () => {
  const series = [1, 2, 3].map((seed) =>
    dailySeries({ points: 3 * DAY, seed, level: 100 * seed, amplitude: 5 * seed, noise: seed }),
  );

  it('trains one network for all series, logs its backend and forecasts each at its own scale', async () => {
    const models = await lstm.fitGlobal(series, { seed: 1 });
    expect(models).toHaveLength(3);
    expect(messages.some((m) => /tensorflow\.js backend: (tensorflow|wasm|cpu)/.test(m))).toBe(true);
    expect(models[0].description).toMatch(/global over 3 series/);
    const horizon = 48;
    models.forEach((model, i) => {
      const result = model.forecast(horizon, [0.8, 0.95]);
      const truth = dailySeries({
        points: 3 * DAY + horizon,
        seed: i + 1,
        level: 100 * (i + 1),
        amplitude: 5 * (i + 1),
        noise: 0,
      });
      const actual = truth.values.slice(3 * DAY);
      const mae = actual.reduce((s, v, k) => s + Math.abs(v - result.point[k]), 0) / horizon;
      // the series' amplitude is 5*(i+1); forecasting its level alone would be ~0.64 of that
      expect(mae).toBeLessThan(0.4 * 5 * (i + 1));
      const [i80, i95] = result.intervals;
      for (let k = 0; k < horizon; k++) {
        expect(i95.lower[k]).toBeLessThanOrEqual(i80.lower[k]);
        expect(i80.upper[k]).toBeLessThanOrEqual(i95.upper[k]);
        expect(i95.upper[k] - i95.lower[k]).toBeGreaterThan(0);
      }
    });
  });

  it('is deterministic for a seed, and a JSON round trip forecasts the same', async () => {
    const [a] = await lstm.fitGlobal([series[0]], { seed: 5 });
    const b = await lstm.fit(series[0], { seed: 5 });
    // the same network; lstm.fit calibrates its bands on the held-out tail
    expect(b.forecast(60, [0.9]).point).toEqual(a.forecast(60, [0.9]).point);
    for (const model of [a, b]) {
      const restored = lstm.restore(JSON.parse(JSON.stringify(model.toJSON())));
      expect(restored.forecast(60, [0.9])).toEqual(model.forecast(60, [0.9]));
    }
    expect(() => lstm.restore({ model: 'lstm', version: 1, state: { network: {} } })).toThrow(/inconsistent/);
  });

  it('update moves the origin without retraining, gaps included', async () => {
    const head = { ...series[1], values: series[1].values.slice(0, 3 * DAY - 12) };
    const model = await lstm.fit(head, { seed: 2 });
    const before = model.forecast(12, []).point;
    model.update([...series[1].values.slice(3 * DAY - 12, 3 * DAY - 1), NaN]);
    const after = model.forecast(12, []).point;
    expect(after).not.toEqual(before);
    expect(after.every(Number.isFinite)).toBe(true);
  });

  it('fits an entry: one network stored once, small per-series states that name it, calibrated bands', async () => {
    const { network, models } = await lstm.fitEntry(series, { seed: 3 });
    expect(models).toHaveLength(3);
    const networkJson = JSON.stringify(network).length;
    for (const [i, model] of models.entries()) {
      expect(model.description).toMatch(/conformal bands/);
      const state = JSON.parse(JSON.stringify(model.toJSON()));
      expect(JSON.stringify(state).length).toBeLessThan(Math.min(20_000, networkJson));
      const restored = restoreLstmSeries(state, network);
      expect(restored.forecast(48, [0.8, 0.95])).toEqual(model.forecast(48, [0.8, 0.95]));
      expect(() => lstm.restore(state), `series ${i} without its network`).toThrow(/refers to network/);
    }
    const other = { ...network, id: 'lstm-00000000-0' };
    expect(() => restoreLstmSeries(models[0].toJSON(), other)).toThrow(/given lstm-00000000-0/);
  });

  it('rejects a too-short series and mixed grid steps with a clear error', async () => {
    await expect(lstm.fit({ values: [1, 2, 3], step: 300, start: 0 })).rejects.toThrow(/at least 24 points/);
    await expect(lstm.fitGlobal([series[0], { ...series[1], step: 60 }])).rejects.toThrow(/same grid step/);
  });
});
