/**
 * `isolation_forest`: Liu, Ting & Zhou's isolation forest over scale-free features of the newest
 * point and the recent window (blocks/features.ts), retrained every season on a reservoir of the
 * last week's feature vectors; its score is made a tail probability against the training points'
 * own scores (blocks/forest-scorer.ts). It flags combinations that are rare together (an
 * ordinary value with an unusual spread, a normal level reached by an unusual jump), and several
 * aligned metrics of one instance can share one forest (`createMultivariate`).
 */
import type { DetectorFactory, ScorerOptions } from './types.js';
import { Bags, Forest, type Rows } from './blocks/trees.js';
import { ForestScorer, FOREST_DEFAULTS, type ForestModel, type ForestSettings } from './blocks/forest-scorer.js';

/** points per tree: the original paper's 256 barely beats 64 and costs four times the memory */
const SAMPLE = 64;

class IsolationModel implements ForestModel {
  private readonly forest: Forest;
  private sample = SAMPLE;

  constructor(trees: number) {
    this.forest = new Forest(trees);
  }

  train(rows: Rows, count: number, _times: Float64Array, random: () => number): Float32Array {
    this.sample = Math.min(SAMPLE, count);
    const idx = new Int32Array(this.sample);
    const bags = new Bags(this.forest.trees, count);
    for (let t = 0; t < this.forest.trees; t++) {
      for (let i = 0; i < this.sample; i++) bags.add(t, (idx[i] = Math.floor(random() * count)));
      this.forest.growIsolation(t, rows, idx, random);
    }
    return bags.outOfBag(rows, count, (x, skip) => this.forest.isolation(x, 0, this.sample, skip));
  }

  raw(x: Float64Array): number {
    return this.forest.isolation(x, 0, this.sample);
  }
}

export function createMultivariate(
  options: ScorerOptions,
  metrics: number,
  settings: ForestSettings = FOREST_DEFAULTS,
): ForestScorer {
  return new ForestScorer(new IsolationModel(settings.trees), options, metrics, settings);
}

export const isolationForest: DetectorFactory = {
  name: 'isolation_forest',
  summary: 'isolation forest over scale-free point and window features, retrained every season',
  create: (options) => createMultivariate(options, 1),
};
