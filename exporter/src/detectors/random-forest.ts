/**
 * `random_forest`: a supervised classifier trained on the series' own recent history (normal)
 * and on copies of it with injected synthetic anomalies (spikes, level shifts, drifts,
 * flat-lines), as the original pipeline did. In-house randomised trees (extra-trees style splits
 * scored by Gini): a few hundred lines less than pulling in ml-random-forest and its matrix stack.
 */
import type { DetectorFactory, ScorerOptions } from './types.js';
import { RollingFeatures } from './blocks/features.js';
import { seededRandom } from '../util/random.js';
import { WindowedTreeScorer, windowOptionsFor, type TrainingData, type TrainedScorer } from './blocks/windowed-trainer.js';

const TREES = 25;
const DEPTH = 8;
const MIN_LEAF = 4;
const COPIES = 4;
const INJECTIONS_PER_COPY = 6;

type Node = { leaf: true; p: number } | { leaf: false; feature: number; split: number; left: Node; right: Node };

function gini(pos: number, n: number): number {
  if (n === 0) return 0;
  const p = pos / n;
  return 2 * p * (1 - p) * n;
}

function grow(rows: number[][], labels: Uint8Array, idx: number[], depth: number, random: () => number): Node {
  let pos = 0;
  for (const i of idx) pos += labels[i];
  if (depth >= DEPTH || idx.length < MIN_LEAF * 2 || pos === 0 || pos === idx.length) {
    return { leaf: true, p: pos / idx.length };
  }
  const dims = rows[0].length;
  let best: { feature: number; split: number; cost: number } | undefined;
  for (let k = 0; k < Math.max(2, Math.ceil(Math.sqrt(dims)) * 2); k++) {
    const feature = Math.floor(random() * dims);
    const a = rows[idx[Math.floor(random() * idx.length)]][feature];
    const b = rows[idx[Math.floor(random() * idx.length)]][feature];
    if (a === b) continue;
    const split = (a + b) / 2;
    let nl = 0;
    let pl = 0;
    for (const i of idx) {
      if (rows[i][feature] < split) {
        nl++;
        pl += labels[i];
      }
    }
    const cost = gini(pl, nl) + gini(pos - pl, idx.length - nl);
    if (nl >= MIN_LEAF && idx.length - nl >= MIN_LEAF && (!best || cost < best.cost)) best = { feature, split, cost };
  }
  if (!best) return { leaf: true, p: pos / idx.length };
  const { feature, split } = best;
  return {
    leaf: false,
    feature,
    split,
    left: grow(
      rows,
      labels,
      idx.filter((i) => rows[i][feature] < split),
      depth + 1,
      random,
    ),
    right: grow(
      rows,
      labels,
      idx.filter((i) => rows[i][feature] >= split),
      depth + 1,
      random,
    ),
  };
}

/** a copy of `values` with anomalies injected, and which points are anomalous */
export function injectAnomalies(values: number[], random: () => number): { values: number[]; labels: Uint8Array } {
  const out = values.slice();
  const labels = new Uint8Array(values.length);
  let sd = 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  for (const v of values) sd += (v - mean) ** 2;
  sd = Math.sqrt(sd / values.length) || Math.abs(mean) * 0.1 || 1;
  for (let k = 0; k < INJECTIONS_PER_COPY; k++) {
    const at = 12 + Math.floor(random() * (values.length - 60));
    const sign = random() < 0.5 ? -1 : 1;
    const size = sd * (3 + random() * 5) * sign;
    const kind = Math.floor(random() * 4);
    if (kind === 0) {
      out[at] += size;
      labels[at] = 1;
    } else if (kind === 1) {
      for (let i = at; i < Math.min(out.length, at + 36); i++) out[i] += size;
      for (let i = at; i < Math.min(out.length, at + 6); i++) labels[i] = 1;
    } else if (kind === 2) {
      for (let i = 0; i < 36 && at + i < out.length; i++) out[at + i] += (size * i) / 24;
      for (let i = 18; i < 36 && at + i < out.length; i++) labels[at + i] = 1;
    } else {
      for (let i = 1; i < 36 && at + i < out.length; i++) out[at + i] = out[at];
      for (let i = 12; i < 36 && at + i < out.length; i++) labels[at + i] = 1;
    }
  }
  return { values: out, labels };
}

export class RandomForestClassifier {
  private readonly trees: Node[] = [];

  constructor(rows: number[][], labels: Uint8Array, seed: number) {
    const random = seededRandom(seed);
    for (let t = 0; t < TREES; t++) {
      const idx = Array.from({ length: rows.length }, () => Math.floor(random() * rows.length));
      this.trees.push(grow(rows, labels, idx, 0, random));
    }
  }

  /** probability that x is anomalous (mean of the leaves' class fractions) */
  predict(x: number[]): number {
    let total = 0;
    for (let node of this.trees) {
      while (!node.leaf) node = x[node.feature] < node.split ? node.left : node.right;
      total += node.p;
    }
    return total / this.trees.length;
  }
}

function train(data: TrainingData): TrainedScorer {
  const random = seededRandom(data.seed);
  const metrics = data.values[0].length;
  const rows: number[][] = [...data.features];
  const labels: number[] = rows.map(() => 0);
  for (let c = 0; c < COPIES; c++) {
    const target = Math.floor(random() * metrics);
    const injected = injectAnomalies(
      data.values.map((v) => v[target]),
      random,
    );
    const extractors = Array.from({ length: metrics }, () => new RollingFeatures());
    injected.values.forEach((v, i) => {
      const f: number[] = [];
      for (let m = 0; m < metrics; m++) extractors[m].next(m === target ? v : data.values[i][m], f);
      // every anomalous point, and a sample of normal ones so the classes stay comparable
      if (injected.labels[i] || random() < 0.1) {
        rows.push(f);
        labels.push(injected.labels[i]);
      }
    });
  }
  const forest = new RandomForestClassifier(rows, Uint8Array.from(labels), data.seed);
  return { logTail: (features) => Math.log(Math.max(1e-9, 1 - forest.predict(features))) };
}

export function createMultivariate(options: ScorerOptions, metrics: number): WindowedTreeScorer {
  return new WindowedTreeScorer(train, windowOptionsFor(options, metrics), options);
}

export const randomForest: DetectorFactory = {
  name: 'random_forest',
  summary: 'random forest trained on the series with injected spikes, shifts, drifts and flat-lines',
  create: (options) => createMultivariate(options, 1),
  restore(state, options) {
    const scorer = createMultivariate(options, 1);
    scorer.replay((state as { values: number[][] }).values ?? []);
    return scorer;
  },
};
