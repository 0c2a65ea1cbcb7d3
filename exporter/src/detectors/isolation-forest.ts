/**
 * `isolation_forest`: Liu, Ting & Zhou's isolation forest over per-point features (value and short
 * rolling statistics; several aligned metrics per instance through `createMultivariate`). Written
 * in-house: the npm `isolation-forest` 0.0.9 is unmaintained and has no seed; this one is ~80 lines.
 * Raw isolation scores are calibrated against the training points' own scores.
 */
import type { DetectorFactory, ScorerOptions } from './types.js';
import { empiricalLogTail } from './blocks/features.js';
import { seededRandom } from '../util/random.js';
import { WindowedTreeScorer, windowOptionsFor, type TrainingData, type TrainedScorer } from './blocks/windowed-trainer.js';

const TREES = 100;
const SAMPLE = 256;

type Node = { leaf: true; size: number } | { leaf: false; feature: number; split: number; left: Node; right: Node };

/** average path length of an unsuccessful search in a binary search tree of n points */
export function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

function build(rows: number[][], depth: number, limit: number, random: () => number): Node {
  if (depth >= limit || rows.length <= 1) return { leaf: true, size: rows.length };
  const dims = rows[0].length;
  // try a few features: a constant one cannot split
  for (let attempt = 0; attempt < dims * 2; attempt++) {
    const feature = Math.floor(random() * dims);
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      if (r[feature] < lo) lo = r[feature];
      if (r[feature] > hi) hi = r[feature];
    }
    if (!(hi > lo)) continue;
    const split = lo + random() * (hi - lo);
    const left = rows.filter((r) => r[feature] < split);
    const right = rows.filter((r) => r[feature] >= split);
    return {
      leaf: false,
      feature,
      split,
      left: build(left, depth + 1, limit, random),
      right: build(right, depth + 1, limit, random),
    };
  }
  return { leaf: true, size: rows.length };
}

function pathLength(node: Node, x: number[]): number {
  let depth = 0;
  while (!node.leaf) {
    node = x[node.feature] < node.split ? node.left : node.right;
    depth++;
  }
  return depth + averagePath(node.size);
}

export class IsolationForest {
  private readonly trees: Node[] = [];
  private readonly norm: number;

  constructor(rows: number[][], seed: number, trees = TREES, sample = SAMPLE) {
    const random = seededRandom(seed);
    const size = Math.min(sample, rows.length);
    const limit = Math.ceil(Math.log2(Math.max(2, size)));
    for (let t = 0; t < trees; t++) {
      const pick: number[][] = [];
      for (let i = 0; i < size; i++) pick.push(rows[Math.floor(random() * rows.length)]);
      this.trees.push(build(pick, 0, limit, random));
    }
    this.norm = averagePath(size);
  }

  /** isolation score in (0,1]: near 1 isolates quickly (anomalous), about 0.5 or below is ordinary */
  score(x: number[]): number {
    let total = 0;
    for (const tree of this.trees) total += pathLength(tree, x);
    return Math.pow(2, -total / this.trees.length / (this.norm || 1));
  }
}

function train(data: TrainingData): TrainedScorer {
  const forest = new IsolationForest(data.features, data.seed);
  const reference = Float64Array.from(data.features.map((f) => forest.score(f))).sort();
  return { logTail: (features) => empiricalLogTail(forest.score(features), reference) };
}

export function createMultivariate(options: ScorerOptions, metrics: number): WindowedTreeScorer {
  return new WindowedTreeScorer(train, windowOptionsFor(options, metrics), options);
}

export const isolationForest: DetectorFactory = {
  name: 'isolation_forest',
  summary: 'isolation forest over the value and short rolling statistics, retrained daily',
  create: (options) => createMultivariate(options, 1),
  restore(state, options) {
    const scorer = createMultivariate(options, 1);
    scorer.replay((state as { values: number[][] }).values ?? []);
    return scorer;
  },
};
