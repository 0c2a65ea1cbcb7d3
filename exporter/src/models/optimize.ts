/**
 * Nelder-Mead simplex minimiser for a handful of unconstrained parameters (callers bound them
 * with transforms such as the logistic). Written by hand: the models call it on every fit, in
 * tight loops, and need a fixed evaluation budget rather than a general-purpose library.
 *
 * The method is written once, as a generator that yields each point it needs valued and takes
 * the value back, so a caller can run several independent minimisations in lockstep and value
 * their points together (`nelderMeadLockstep`): ETS fits its three trend variants that way in one
 * pass over the data, which a CPU runs about twice as fast as three passes because the
 * recursions do not wait on each other. Each minimisation takes exactly the steps it would alone.
 */

export interface MinimizeOptions {
  /** initial simplex step per coordinate (default 0.5) */
  step?: number;
  /** stop after this many objective evaluations (default 200) */
  maxEvaluations?: number;
  /** stop when the simplex's objective spread falls below this relative tolerance */
  tolerance?: number;
}

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  evaluations: number;
}

/**
 * The simplex iterations: yields a point to value (read it before resuming: the buffer is
 * reused), expects its objective value back, returns the best point found.
 */
export function* nelderMeadSteps(
  start: ArrayLike<number>,
  options: MinimizeOptions = {},
): Generator<Float64Array, MinimizeResult, number> {
  const dim = start.length;
  const step = options.step ?? 0.5;
  const maxEvaluations = options.maxEvaluations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  let evaluations = 0;
  const finite = (v: number): number => {
    evaluations++;
    return Number.isFinite(v) ? v : Infinity;
  };

  const points: Float64Array[] = [];
  const values: number[] = [];
  for (let i = 0; i <= dim; i++) {
    const p = Float64Array.from(start);
    if (i > 0) p[i - 1] += step;
    points.push(p);
    values.push(finite(yield p));
  }
  const order = Array.from({ length: dim + 1 }, (_, i) => i);
  const centroid = new Float64Array(dim);
  const trial = new Float64Array(dim);
  const trial2 = new Float64Array(dim);
  const along = (from: Float64Array, coef: number, out: Float64Array, worst: Float64Array): void => {
    for (let j = 0; j < dim; j++) out[j] = from[j] + coef * (from[j] - worst[j]);
  };
  const replace = (index: number, x: Float64Array, value: number): void => {
    points[index].set(x);
    values[index] = value;
  };

  while (evaluations < maxEvaluations) {
    sortByValue(order, values);
    const best = order[0];
    const worst = order[dim];
    const second = order[dim - 1];
    const spread = Math.abs(values[worst] - values[best]);
    if (spread <= tolerance * (Math.abs(values[best]) + 1e-12)) break;

    centroid.fill(0);
    for (const i of order) if (i !== worst) for (let j = 0; j < dim; j++) centroid[j] += points[i][j] / dim;

    along(centroid, 1, trial, points[worst]);
    const reflected = finite(yield trial);
    if (reflected < values[best]) {
      along(centroid, 2, trial2, points[worst]);
      const expanded = finite(yield trial2);
      if (expanded < reflected) replace(worst, trial2, expanded);
      else replace(worst, trial, reflected);
    } else if (reflected < values[second]) {
      replace(worst, trial, reflected);
    } else {
      const outside = reflected < values[worst];
      along(centroid, outside ? 0.5 : -0.5, trial2, points[worst]);
      const contracted = finite(yield trial2);
      if (contracted < Math.min(reflected, values[worst])) {
        replace(worst, trial2, contracted);
      } else {
        // shrink towards the best point
        for (const i of order) {
          if (i === best) continue;
          for (let j = 0; j < dim; j++) points[i][j] = points[best][j] + 0.5 * (points[i][j] - points[best][j]);
          values[i] = finite(yield points[i]);
        }
      }
    }
  }

  let bestIndex = 0;
  for (let i = 1; i <= dim; i++) if (values[i] < values[bestIndex]) bestIndex = i;
  return { x: Float64Array.from(points[bestIndex]), value: values[bestIndex], evaluations };
}

/**
 * Stable insertion sort of the vertex indices by value, in place: the order Array.sort gives
 * (stable, and Infinity - Infinity = NaN compares as equal there too), without the scratch
 * storage Array.sort allocates on every call, for the few vertices a simplex has.
 */
function sortByValue(order: number[], values: number[]): void {
  for (let i = 1; i < order.length; i++) {
    const index = order[i];
    let k = i;
    while (k > 0 && values[index] - values[order[k - 1]] < 0) {
      order[k] = order[k - 1];
      k--;
    }
    order[k] = index;
  }
}

export function nelderMead(
  objective: (x: Float64Array) => number,
  start: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const steps = nelderMeadSteps(start, options);
  let request = steps.next();
  while (!request.done) request = steps.next(objective(request.value));
  return request.value;
}

/**
 * Independent minimisations run side by side: each round, every one still running asks for one
 * point, and `valueAll(points, values)` fills values[i] for each defined points[i] (undefined
 * for those already done). Results equal running `nelderMead` on each alone.
 */
export function nelderMeadLockstep(
  starts: ReadonlyArray<ArrayLike<number>>,
  options: ReadonlyArray<MinimizeOptions>,
  valueAll: (points: ReadonlyArray<Float64Array | undefined>, values: Float64Array) => void,
): MinimizeResult[] {
  const runs = starts.map((start, i) => nelderMeadSteps(start, options[i]));
  const requests = runs.map((run) => run.next());
  const results: MinimizeResult[] = new Array<MinimizeResult>(runs.length);
  const points: Array<Float64Array | undefined> = new Array<Float64Array | undefined>(runs.length);
  const values = new Float64Array(runs.length);
  for (;;) {
    let running = 0;
    for (let i = 0; i < runs.length; i++) {
      const request = requests[i];
      if (request.done) {
        results[i] = request.value;
        points[i] = undefined;
      } else {
        points[i] = request.value;
        running++;
      }
    }
    if (running === 0) return results;
    valueAll(points, values);
    for (let i = 0; i < runs.length; i++) if (points[i]) requests[i] = runs[i].next(values[i]);
  }
}
