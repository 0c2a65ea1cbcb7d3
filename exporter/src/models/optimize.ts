/**
 * Nelder-Mead simplex minimiser for a handful of unconstrained parameters (callers bound them
 * with transforms such as the logistic). Written by hand: the models call it on every fit, in
 * tight loops, and need a fixed evaluation budget rather than a general-purpose library.
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

export function nelderMead(
  objective: (x: Float64Array) => number,
  start: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const dim = start.length;
  const step = options.step ?? 0.5;
  const maxEvaluations = options.maxEvaluations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  let evaluations = 0;
  const evaluate = (x: Float64Array): number => {
    evaluations++;
    const v = objective(x);
    return Number.isFinite(v) ? v : Infinity;
  };

  const points: Float64Array[] = [];
  const values: number[] = [];
  for (let i = 0; i <= dim; i++) {
    const p = Float64Array.from(start);
    if (i > 0) p[i - 1] += step;
    points.push(p);
    values.push(evaluate(p));
  }
  const order = Array.from({ length: dim + 1 }, (_, i) => i);
  const centroid = new Float64Array(dim);
  const trial = new Float64Array(dim);
  const trial2 = new Float64Array(dim);
  const along = (from: Float64Array, coef: number, out: Float64Array, worst: Float64Array): void => {
    for (let j = 0; j < dim; j++) out[j] = from[j] + coef * (from[j] - worst[j]);
  };

  while (evaluations < maxEvaluations) {
    order.sort((a, b) => values[a] - values[b]);
    const best = order[0];
    const worst = order[dim];
    const second = order[dim - 1];
    const spread = Math.abs(values[worst] - values[best]);
    if (spread <= tolerance * (Math.abs(values[best]) + 1e-12)) break;

    centroid.fill(0);
    for (const i of order) if (i !== worst) for (let j = 0; j < dim; j++) centroid[j] += points[i][j] / dim;

    along(centroid, 1, trial, points[worst]);
    const reflected = evaluate(trial);
    if (reflected < values[best]) {
      along(centroid, 2, trial2, points[worst]);
      const expanded = evaluate(trial2);
      if (expanded < reflected) replace(worst, trial2, expanded);
      else replace(worst, trial, reflected);
    } else if (reflected < values[second]) {
      replace(worst, trial, reflected);
    } else {
      const outside = reflected < values[worst];
      along(centroid, outside ? 0.5 : -0.5, trial2, points[worst]);
      const contracted = evaluate(trial2);
      if (contracted < Math.min(reflected, values[worst])) {
        replace(worst, trial2, contracted);
      } else {
        // shrink towards the best point
        for (const i of order) {
          if (i === best) continue;
          for (let j = 0; j < dim; j++) points[i][j] = points[best][j] + 0.5 * (points[i][j] - points[best][j]);
          values[i] = evaluate(points[i]);
        }
      }
    }
  }

  let bestIndex = 0;
  for (let i = 1; i <= dim; i++) if (values[i] < values[bestIndex]) bestIndex = i;
  return { x: Float64Array.from(points[bestIndex]), value: values[bestIndex], evaluations };

  function replace(index: number, x: Float64Array, value: number): void {
    points[index].set(x);
    values[index] = value;
  }
}
