/**
 * The trained network as plain arrays, and its forward pass in plain TypeScript. Inference is
 * written by hand because one window through a 16-unit LSTM is microseconds here against
 * milliseconds of tensor overhead in TensorFlow.js, and it keeps `forecast` and `restore`
 * synchronous and free of any backend. Layout and gate order (i, f, c, o) follow Keras / tfjs.
 */

export interface LstmWeights {
  /** LSTM units */
  units: number;
  /** input window length (time steps) */
  window: number;
  /** direct outputs: steps ahead forecast at once */
  outputs: number;
  /** [1 x 4u] input kernel, row-major */
  kernel: number[];
  /** [u x 4u] recurrent kernel, row-major */
  recurrent: number[];
  /** [4u] */
  bias: number[];
  /** [(u + outputs) x outputs] dense kernel over concat(lstm state, seasonal reference) */
  denseKernel: number[];
  /** [outputs] */
  denseBias: number[];
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Forecast `outputs` scaled deltas from a scaled input window (deltas to its last value) and the
 * seasonal reference for each output step (also as deltas to the last value).
 */
export function forward(w: LstmWeights, input: ArrayLike<number>, reference: ArrayLike<number>): Float64Array {
  const u = w.units;
  const g = 4 * u;
  let h = new Float64Array(u);
  let c = new Float64Array(u);
  const gates = new Float64Array(g);
  for (let t = 0; t < input.length; t++) {
    const x = input[t];
    for (let j = 0; j < g; j++) {
      let s = w.bias[j] + x * w.kernel[j];
      for (let i = 0; i < u; i++) s += h[i] * w.recurrent[i * g + j];
      gates[j] = s;
    }
    const nextH = new Float64Array(u);
    const nextC = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      const inputGate = sigmoid(gates[j]);
      const forgetGate = sigmoid(gates[u + j]);
      const candidate = Math.tanh(gates[2 * u + j]);
      const outputGate = sigmoid(gates[3 * u + j]);
      nextC[j] = forgetGate * c[j] + inputGate * candidate;
      nextH[j] = outputGate * Math.tanh(nextC[j]);
    }
    h = nextH;
    c = nextC;
  }
  const out = new Float64Array(w.outputs);
  for (let k = 0; k < w.outputs; k++) {
    let s = w.denseBias[k];
    for (let i = 0; i < u; i++) s += h[i] * w.denseKernel[i * w.outputs + k];
    for (let r = 0; r < w.outputs; r++) s += reference[r] * w.denseKernel[(u + r) * w.outputs + k];
    out[k] = s;
  }
  return out;
}
