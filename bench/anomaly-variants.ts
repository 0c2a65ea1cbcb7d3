/**
 * Detector variants for `bench/anomaly-sweep.ts` and `bench/anomaly-loco.ts`: the product's detectors (DETECTORS) and the
 * alternatives still expressible in the current code, so a claim in docs/benchmarks.md ("leaving
 * out signal X costs Y", "the ensemble does not beat residual") can be re-run. Every variant ever
 * scored counts towards the "variants tried" figure there, including those whose code was removed
 * after validation (the per-series tail calibrators, the level-shift and likelihood signals; in
 * issue 21 the ART learner and the contextual detector's other scorings).
 * A name ending in "+labels" (in the sweep) runs a detector with each file's earlier incidents.
 */
import type { Detection, DetectorFactory, SeriesScorer } from '../exporter/src/detectors/types.js';
import { DETECTORS } from '../exporter/src/detectors/index.js';
import { scoreFromSurprise, surprise } from '../exporter/src/detectors/blocks/severity.js';
import { RepeatSuppressor } from '../exporter/src/detectors/blocks/repeat-suppressor.js';
import { createResidualScorer, RESIDUAL_DEFAULTS, type ResidualSettings } from '../exporter/src/detectors/residual.js';
import { createMultivariate as isolation } from '../exporter/src/detectors/isolation-forest.js';
import { createMultivariate as classifier } from '../exporter/src/detectors/random-forest.js';
import { FOREST_DEFAULTS, type ForestSettings } from '../exporter/src/detectors/blocks/forest-scorer.js';
import { createContextualScorer, type ContextualSettings } from '../exporter/src/detectors/contextual.js';

function residualWith(name: string, settings: Partial<ResidualSettings>): [string, DetectorFactory] {
  return [name, { name, summary: name, create: (o) => createResidualScorer(o, settings) }];
}

function forestWith(name: string, settings: Partial<ForestSettings>, supervised = false): [string, DetectorFactory] {
  const make = supervised ? classifier : isolation;
  return [name, { name, summary: name, create: (o) => make(o, 1, { ...FOREST_DEFAULTS, ...settings }) }];
}

/** the largest score of several detectors, each with its own repeat damping */
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

function contextualFactory(name: string, settings: Partial<ContextualSettings>): DetectorFactory {
  return { name, summary: name, create: (o) => createContextualScorer(o, settings) };
}

function contextualWith(name: string, settings: Partial<ContextualSettings>): [string, DetectorFactory] {
  return [name, contextualFactory(name, settings)];
}

/** the summed surprises of several detectors, each weighted: agreement ranks above either alone */
function sumOf(name: string, members: [DetectorFactory, number][]): [string, DetectorFactory] {
  const create: DetectorFactory['create'] = (options) => {
    const scorers = members.map(([m, w]) => [m.create(options), w] as const);
    return {
      score(t: number, v: number): Detection {
        let total = 0;
        for (const [s, w] of scorers) total += w * surprise(s.score(t, v).score);
        return { score: scoreFromSurprise(total), isAnomaly: false, severity: 0 };
      },
      toJSON: () => ({}),
    } satisfies SeriesScorer;
  };
  return [name, { name, summary: name, create }];
}

/** the largest score of several detectors, with repeats of an alarm damped once more across members */
function maxDamped(name: string, members: DetectorFactory[]): [string, DetectorFactory] {
  const create: DetectorFactory['create'] = (options) => {
    const scorers = members.map((m) => m.create(options));
    const repeats = new RepeatSuppressor(96);
    return {
      score(t: number, v: number): Detection {
        let top = 0;
        for (const s of scorers) top = Math.max(top, surprise(s.score(t, v).score));
        return { score: scoreFromSurprise(5 * repeats.update(top)), isAnomaly: false, severity: 0 };
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
    // contextual (its default: value facts only, share scoring)
    contextualWith('ctx-value-delta', { facts: { value: true, delta: true } }),
    contextualWith('ctx-delta-only', { facts: { value: false, delta: true } }),
    contextualWith('ctx-res1', { resolutions: 1 }),
    contextualWith('ctx-order1', { order: 1 }),
    contextualWith('ctx-order5', { order: 5 }),
    contextualWith('ctx-levels16', { levels: 16 }),
    contextualWith('ctx-levels4', { levels: 4 }),
    contextualWith('ctx-evidence4032', { evidencePoints: 4032 }),
    maxOf('ens-residual-ctxv-c8192', [DETECTORS.residual, contextualFactory('c8192', { capacity: 8192 })]),
    maxOf('ens-residual-ctxvd', [
      DETECTORS.residual,
      contextualFactory('ctxvd', { facts: { value: true, delta: true } }),
    ]),
    maxOf('ens-residual-ctxv-c2048', [DETECTORS.residual, contextualFactory('c2048', { capacity: 2048 })]),
    maxOf('ens-residual-if-ctxv', [DETECTORS.residual, DETECTORS.ensemble, DETECTORS.contextual]),
    maxDamped('ens-residual-ctxv-damped', [DETECTORS.residual, DETECTORS.contextual]),
    maxDamped('ens-residual-ctxv-s24-damped', [DETECTORS.residual, contextualFactory('ctxv', { fullSurprise: 24 })]),
    ...[24, 28, 32].map((full) =>
      maxOf(`ens-residual-ctxv-s${full}`, [DETECTORS.residual, contextualFactory('ctxv', { fullSurprise: full })]),
    ),
    ...[0.5, 1].map((w) =>
      sumOf(`sum-residual-ctxv-${w}`, [
        [DETECTORS.residual, 1],
        [DETECTORS.contextual, w],
      ]),
    ),
  ]),
};
