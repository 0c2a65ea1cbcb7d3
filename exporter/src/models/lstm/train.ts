/**
 * Training the global LSTM with TensorFlow.js: one LSTM layer over the input window, its final
 * state concatenated with the seasonal reference, one dense layer to all output steps at once.
 * Deterministic for a seed: seeded initialisers, one seeded shuffle, no dropout, `shuffle: false`.
 * The trained weights come back as plain arrays (see network.ts); the tf model is disposed.
 */
import type { Tf } from '../tf.js';
import type { LstmWeights } from './network.js';
import { seededRandom } from '../../util/random.js';

export interface TrainingSet {
  /** window inputs, one Float64Array of length `window` per sample */
  inputs: Float64Array[];
  /** seasonal references, length `outputs` per sample */
  references: Float64Array[];
  /** targets, length `outputs` per sample */
  targets: Float64Array[];
}

export interface TrainOptions {
  window: number;
  outputs: number;
  units: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

function shuffledOrder(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function flatten(rows: Float64Array[], order: number[], width: number): Float32Array {
  const out = new Float32Array(order.length * width);
  order.forEach((r, i) => out.set(rows[r], i * width));
  return out;
}

type Network = ReturnType<typeof buildLayers>;

/** The tf graph: LSTM over the window, its final state joined with the reference, dense out. */
export function buildLayers(tf: Tf, o: Pick<TrainOptions, 'window' | 'outputs' | 'units' | 'seed'>) {
  const sequence = tf.input({ shape: [o.window, 1] });
  const reference = tf.input({ shape: [o.outputs] });
  const lstmLayer = tf.layers.lstm({
    units: o.units,
    recurrentActivation: 'sigmoid',
    kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 1 }),
    // glorot rather than orthogonal: tfjs' orthogonal initialiser is slow on 4u x u matrices
    recurrentInitializer: tf.initializers.glorotUniform({ seed: o.seed + 2 }),
  });
  const denseLayer = tf.layers.dense({
    units: o.outputs,
    kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 3 }),
  });
  type Symbolic = ReturnType<typeof tf.input>;
  const state = lstmLayer.apply(sequence) as Symbolic;
  const joined = tf.layers.concatenate().apply([state, reference]) as Symbolic;
  const output = denseLayer.apply(joined) as Symbolic;
  const model = tf.model({ inputs: [sequence, reference], outputs: output });
  return { model, lstmLayer, denseLayer };
}

/** Weights of a built network as the plain arrays network.ts runs on. */
export async function extractWeights(
  net: Network,
  o: Pick<TrainOptions, 'window' | 'outputs' | 'units'>,
): Promise<LstmWeights> {
  const [lstmKernel, recurrent, lstmBias] = net.lstmLayer.getWeights();
  const [denseKernel, denseBias] = net.denseLayer.getWeights();
  const plain = async (t: { data(): Promise<ArrayLike<number>> }): Promise<number[]> => Array.from(await t.data());
  return {
    units: o.units,
    window: o.window,
    outputs: o.outputs,
    kernel: await plain(lstmKernel),
    recurrent: await plain(recurrent),
    bias: await plain(lstmBias),
    denseKernel: await plain(denseKernel),
    denseBias: await plain(denseBias),
  };
}

export async function trainNetwork(tf: Tf, data: TrainingSet, o: TrainOptions): Promise<LstmWeights> {
  const n = data.inputs.length;
  const order = shuffledOrder(n, o.seed);
  const net = buildLayers(tf, o);
  const { model, denseLayer } = net;

  // start the reference pathway halfway between "no change" and "same as one season ago",
  // so a few epochs already give a sensible forecast; the LSTM learns the correction
  const [kernel, bias] = denseLayer.getWeights();
  const kernelValues = (await kernel.data()).map((v) => v * 0.1);
  for (let r = 0; r < o.outputs; r++) kernelValues[(o.units + r) * o.outputs + r] = 0.5;
  const start = tf.tensor2d(kernelValues, [o.units + o.outputs, o.outputs]);
  denseLayer.setWeights([start, bias]);
  start.dispose();

  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  const xs = tf.tensor3d(flatten(data.inputs, order, o.window), [n, o.window, 1]);
  const refs = tf.tensor2d(flatten(data.references, order, o.outputs), [n, o.outputs]);
  const ys = tf.tensor2d(flatten(data.targets, order, o.outputs), [n, o.outputs]);
  try {
    await model.fit([xs, refs], ys, { epochs: o.epochs, batchSize: o.batchSize, shuffle: false, verbose: 0 });
    return await extractWeights(net, o);
  } finally {
    xs.dispose();
    refs.dispose();
    ys.dispose();
    model.dispose();
  }
}
