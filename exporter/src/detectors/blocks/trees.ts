/**
 * Small randomised trees in flat typed arrays, for the forest detectors' per-series budget of a
 * few tens of kilobytes: each tree is a complete binary tree of fixed depth stored implicitly
 * (children of node i at 2i+1 and 2i+2), so a forest is three arrays and no objects.
 *
 * - isolation trees (Liu, Ting & Zhou 2008): random feature, random split between the sample's
 *   min and max; a leaf keeps its sample count for the average-path correction;
 * - classification trees (extra-trees style, Geurts et al. 2006): among a few random
 *   (feature, split) candidates the one with the lowest weighted Gini impurity; a leaf keeps the
 *   share of anomalous samples.
 *
 * Written here rather than taken from npm: the packages found (isolation-forest, ml-random-forest)
 * build object trees without seeds and are far over the memory budget per series.
 */

/** depth of every tree: 64-point samples isolate within 6 levels on average */
export const TREE_DEPTH = 6;
const NODES = (1 << (TREE_DEPTH + 1)) - 1;
const LEAF = -1;

/** average path length of an unsuccessful search in a binary search tree of n points */
export function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

/** rows of `dims` features, flat: row i is data[i*dims .. i*dims+dims) */
export interface Rows {
  data: Float32Array | Float64Array;
  dims: number;
}

export class Forest {
  /** per node: the split feature, or LEAF */
  private readonly feature: Int8Array;
  /** per node: the split value, or for a leaf its sample count (isolation) or anomalous share */
  private readonly value: Float32Array;

  constructor(readonly trees: number) {
    this.feature = new Int8Array(trees * NODES).fill(LEAF);
    this.value = new Float32Array(trees * NODES);
  }

  /** the leaf that `x` (read from `at`) falls in, and its depth, for tree `t` */
  private descend(t: number, x: ArrayLike<number>, at: number): [node: number, depth: number] {
    const base = t * NODES;
    let node = 0;
    let depth = 0;
    while (this.feature[base + node] !== LEAF) {
      node = x[at + this.feature[base + node]] < this.value[base + node] ? 2 * node + 1 : 2 * node + 2;
      depth++;
    }
    return [base + node, depth];
  }

  /**
   * isolation score in (0,1]: near 1 isolates fast (anomalous), about 0.5 or below is ordinary;
   * `skip(t)` leaves trees out (those that saw this point, for an out-of-bag score)
   */
  isolation(x: ArrayLike<number>, at: number, sampleSize: number, skip?: (t: number) => boolean): number {
    let total = 0;
    let used = 0;
    for (let t = 0; t < this.trees; t++) {
      if (skip?.(t)) continue;
      const [leaf, depth] = this.descend(t, x, at);
      total += depth + averagePath(this.value[leaf]);
      used++;
    }
    return used ? Math.pow(2, -total / used / (averagePath(sampleSize) || 1)) : NaN;
  }

  /** mean of the leaves' anomalous shares; `skip` as for isolation */
  probability(x: ArrayLike<number>, at: number, skip?: (t: number) => boolean): number {
    let total = 0;
    let used = 0;
    for (let t = 0; t < this.trees; t++) {
      if (skip?.(t)) continue;
      total += this.value[this.descend(t, x, at)[0]];
      used++;
    }
    return used ? total / used : NaN;
  }

  /** grows isolation tree `t` on rows `idx` */
  growIsolation(t: number, rows: Rows, idx: Int32Array, random: () => number): void {
    this.grow(t * NODES, 0, 0, rows, idx, 0, idx.length, random, undefined);
  }

  /** grows classification tree `t` on rows `idx` with 0/1 `labels` (by row) */
  growClassifier(t: number, rows: Rows, labels: Uint8Array, idx: Int32Array, random: () => number): void {
    this.grow(t * NODES, 0, 0, rows, idx, 0, idx.length, random, labels);
  }

  private grow(
    base: number,
    node: number,
    depth: number,
    rows: Rows,
    idx: Int32Array,
    from: number,
    to: number,
    random: () => number,
    labels: Uint8Array | undefined,
  ): void {
    const n = to - from;
    let positives = 0;
    if (labels) for (let i = from; i < to; i++) positives += labels[idx[i]];
    this.feature[base + node] = LEAF;
    this.value[base + node] = labels ? (n ? positives / n : 0) : n;
    if (depth >= TREE_DEPTH || n <= 1 || (labels && (positives === 0 || positives === n))) return;
    const choice = labels
      ? bestSplit(rows, labels, idx, from, to, positives, random)
      : randomSplit(rows, idx, from, to, random);
    if (!choice) return;
    const [feature, split] = choice;
    // partition idx[from, to) in place: rows below the split first
    let mid = from;
    for (let i = from; i < to; i++) {
      if (rows.data[idx[i] * rows.dims + feature] < split) {
        const tmp = idx[mid];
        idx[mid++] = idx[i];
        idx[i] = tmp;
      }
    }
    if (mid === from || mid === to) return;
    this.feature[base + node] = feature;
    this.value[base + node] = split;
    this.grow(base, 2 * node + 1, depth + 1, rows, idx, from, mid, random, labels);
    this.grow(base, 2 * node + 2, depth + 1, rows, idx, mid, to, random, labels);
  }
}

/** a random feature that varies among the rows, split uniformly between its min and max */
function randomSplit(rows: Rows, idx: Int32Array, from: number, to: number, random: () => number) {
  for (let attempt = 0; attempt < rows.dims * 2; attempt++) {
    const f = Math.floor(random() * rows.dims);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      const x = rows.data[idx[i] * rows.dims + f];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    // float32 storage: a split must fall strictly inside the range once rounded
    const split = Math.fround(lo + random() * (hi - lo));
    if (hi > lo && split > lo) return [f, split] as const;
  }
  return undefined;
}

function gini(positives: number, n: number): number {
  return n ? 2 * positives * (1 - positives / n) : 0;
}

/** the lowest weighted Gini impurity among a few random (feature, split between two rows) candidates */
function bestSplit(
  rows: Rows,
  labels: Uint8Array,
  idx: Int32Array,
  from: number,
  to: number,
  positives: number,
  random: () => number,
) {
  const n = to - from;
  let best: readonly [number, number] | undefined;
  let bestCost = Infinity;
  for (let k = 0; k < Math.max(4, rows.dims * 2); k++) {
    const f = Math.floor(random() * rows.dims);
    const a = rows.data[idx[from + Math.floor(random() * n)] * rows.dims + f];
    const b = rows.data[idx[from + Math.floor(random() * n)] * rows.dims + f];
    const split = Math.fround((a + b) / 2);
    if (a === b || split <= Math.min(a, b)) continue;
    let left = 0;
    let leftPositives = 0;
    for (let i = from; i < to; i++) {
      if (rows.data[idx[i] * rows.dims + f] < split) {
        left++;
        leftPositives += labels[idx[i]];
      }
    }
    const cost = gini(leftPositives, left) + gini(positives - leftPositives, n - left);
    if (left > 0 && left < n && cost < bestCost) {
      bestCost = cost;
      best = [f, split];
    }
  }
  return best;
}

/** which rows each tree trained on, for out-of-bag scores */
export class Bags {
  private readonly used: Uint8Array;

  constructor(
    private readonly trees: number,
    private readonly rows: number,
  ) {
    this.used = new Uint8Array(trees * rows);
  }

  add(tree: number, row: number): void {
    this.used[tree * this.rows + row] = 1;
  }

  /** each row's score from the trees that did not see it (NaN if every tree did) */
  outOfBag(rows: Rows, count: number, score: (x: Float64Array, skip: (t: number) => boolean) => number): Float32Array {
    const out = new Float32Array(count);
    const x = new Float64Array(rows.dims);
    for (let i = 0; i < count; i++) {
      for (let f = 0; f < rows.dims; f++) x[f] = rows.data[i * rows.dims + f];
      out[i] = score(x, (t) => this.used[t * this.rows + i] === 1);
    }
    return out;
  }
}
