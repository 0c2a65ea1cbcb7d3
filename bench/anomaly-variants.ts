/**
 * Detector variants for `bench/anomaly-sweep.ts`: the product's detectors (DETECTORS) and the
 * alternatives still expressible in the current code, so a claim in docs/benchmarks.md ("leaving
 * out signal X costs Y", "the ensemble does not beat residual") can be re-run. Every variant ever
 * scored counts towards the "variants tried" figure there, including those whose code was removed
 * after validation (the per-series tail calibrators, the level-shift and likelihood signals).
 * A name ending in "+labels" (in the sweep) runs a detector with each file's earlier incidents.
 */
import type { Detection, DetectorFactory, SeriesScorer } from '../exporter/src/detectors/types.js';
import { DETECTORS } from '../exporter/src/detectors/index.js';
import { createResidualScorer, RESIDUAL_DEFAULTS, type ResidualSettings } from '../exporter/src/detectors/residual.js';
import { createMultivariate as isolation } from '../exporter/src/detectors/isolation-forest.js';
import { createMultivariate as classifier } from '../exporter/src/detectors/random-forest.js';
import { FOREST_DEFAULTS, type ForestSettings } from '../exporter/src/detectors/blocks/forest-scorer.js';

function residualWith(name: string, settings: Partial<ResidualSettings>): [string, DetectorFactory] {
  return [name, { name, summary: name, create: (o) => createResidualScorer(o, settings) }];
}

function forestWith(name: string, settings: Partial<ForestSettings>, supervised = false): [string, DetectorFactory] {
  const make = supervised ? classifier : isolation;
  return [name, { name, summary: name, create: (o) => make(o, 1, { ...FOREST_DEFAULTS, ...settings }) }];
}

/** the largest score of several detectors: the removed `ensemble`, kept here as a variant */
function maxOf(name: string, members: DetectorFactory[]): [string, DetectorFactory] {
  const create: DetectorFactory['create'] = (options) => {
    const scorers = members.map((m) => m.create(options));
    return {
      score(t: number, v: number): Detection {
        return scorers.map((s) => s.score(t, v)).reduce((a, b) => (b.score > a.score ? b : a));
      },
      toJSON: () => ({}),
    } satisfies SeriesScorer;
  };
  return [name, { name, summary: name, create }];
}

const without = (k: keyof ResidualSettings['weights']) =>
  residualWith(`residual-no-${k}`, { weights: { ...RESIDUAL_DEFAULTS.weights, [k]: 0 } });

export const VARIANTS: Record<string, DetectorFactory> = {
  ...DETECTORS,
  ...Object.fromEntries([
    without('range'),
    without('errorRange'),
    without('windowMean'),
    without('flatLine'),
    residualWith('residual-stuck-only', { stuckOnly: true }),
    residualWith('residual-floor0', { evidenceFloor: 0 }),
    residualWith('residual-floor600', { evidenceFloor: 600 }),
    forestWith('if-r4-h7', { retrainsPerSeason: 4 }),
    forestWith('if-r4-h1', { retrainsPerSeason: 4, historySeasons: 1 }),
    forestWith('rf-r4-h1', { retrainsPerSeason: 4, historySeasons: 1 }, true),
    maxOf('ens-residual-rf', [DETECTORS.residual, DETECTORS.random_forest]),
    maxOf('ens-residual-if', [DETECTORS.residual, DETECTORS.isolation_forest]),
  ]),
};
