/**
 * `random_forest`: a supervised classifier of anomalous points, retrained every season on the
 * series' recent feature vectors (blocks/features.ts). Positives are the points inside the
 * series' own labelled incidents (`labels` in the scorer options: windows that have ended by the
 * time of training, so the replay stays causal), plus synthetic anomalies made in feature space
 * (spikes, shifts, flat-lines, bursts of noise, drifts) so that it also works before any label
 * exists. Use it when past incidents of a series are known (a labels file, as `evaluate` reads,
 * through `detect --labels` or the series' `anomaly_labels` key): it learns what those incidents
 * looked like. Without labels it is a weaker residual; `residual` is the default.
 */
import type { DetectorFactory, ScorerOptions } from './types.js';
import { Bags, Forest, type Rows } from './blocks/trees.js';
import { FEATURES_PER_METRIC } from './blocks/features.js';
import { ForestScorer, FOREST_DEFAULTS, type ForestModel, type ForestSettings } from './blocks/forest-scorer.js';

/** rows drawn (with replacement) to grow each tree */
const BAG = 96;
/** synthetic anomalies per normal row kept */
const SYNTHETIC_SHARE = 0.5;

/** adds one synthetic anomaly of a random kind to metric `m`'s features in row `at` */
function inject(data: Float32Array, at: number, m: number, random: () => number): void {
  const f = at + m * FEATURES_PER_METRIC;
  const sign = random() < 0.5 ? -1 : 1;
  const u = (lo: number, hi: number) => lo + random() * (hi - lo);
  switch (Math.floor(random() * 5)) {
    case 0: // spike
      data[f] += sign * u(6, 12);
      data[f + 1] += sign * u(2, 6);
      break;
    case 1: // level shift, early
      data[f + 1] += sign * u(1.5, 4);
      data[f + 2] += sign * u(1.5, 4);
      data[f + 4] += sign * u(1.5, 4);
      break;
    case 2: // flat-line
      data[f] = 0;
      data[f + 3] = -u(3, 8);
      break;
    case 3: // burst of noise
      data[f] += sign * u(2, 5);
      data[f + 3] += u(1, 2.5);
      break;
    default: // drift
      data[f + 2] += sign * u(1, 3);
      data[f + 4] += sign * u(1, 3);
  }
}

class ClassifierModel implements ForestModel {
  private readonly forest: Forest;

  constructor(
    private readonly labels: readonly (readonly [number, number])[],
    trees: number,
  ) {
    this.forest = new Forest(trees);
  }

  train(rows: Rows, count: number, times: Float64Array, random: () => number): Float32Array {
    const dims = rows.dims;
    const metrics = dims / FEATURES_PER_METRIC;
    let now = -Infinity;
    for (let i = 0; i < count; i++) now = Math.max(now, times[i]);
    // incidents known by now: only windows that have ended
    const known = this.labels.filter(([, end]) => end < now);
    const synthetic = Math.round(count * SYNTHETIC_SHARE);
    const data = new Float32Array((count + synthetic) * dims);
    const labels = new Uint8Array(count + synthetic);
    data.set(rows.data.subarray(0, count * dims));
    for (let i = 0; i < count; i++) {
      if (known.some(([start, end]) => times[i] >= start && times[i] <= end)) labels[i] = 1;
    }
    for (let k = 0; k < synthetic; k++) {
      const row = count + k;
      data.copyWithin(row * dims, Math.floor(random() * count) * dims, Math.floor(random() * count) * dims + dims);
      inject(data, row * dims, Math.floor(random() * metrics), random);
      labels[row] = 1;
    }
    const all: Rows = { data, dims };
    const idx = new Int32Array(BAG);
    const bags = new Bags(this.forest.trees, count);
    for (let t = 0; t < this.forest.trees; t++) {
      for (let i = 0; i < BAG; i++) {
        idx[i] = Math.floor(random() * labels.length);
        if (idx[i] < count) bags.add(t, idx[i]);
      }
      this.forest.growClassifier(t, all, labels, idx, random);
    }
    return bags.outOfBag(rows, count, (x, skip) => this.forest.probability(x, 0, skip));
  }

  raw(x: Float64Array): number {
    return this.forest.probability(x, 0);
  }
}

export function createMultivariate(
  options: ScorerOptions,
  metrics: number,
  settings: ForestSettings = FOREST_DEFAULTS,
): ForestScorer {
  return new ForestScorer(new ClassifierModel(options.labels ?? [], settings.trees), options, metrics, settings);
}

export const randomForest: DetectorFactory = {
  name: 'random_forest',
  summary: "supervised forest trained on the series' labelled incidents and synthetic anomalies",
  create: (options) => createMultivariate(options, 1),
};
