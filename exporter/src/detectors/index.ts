/** Every anomaly detector by the name used in the config and in `cloudpulse detect --model`. */
import type { DetectorFactory } from './types.js';
import { residual } from './residual.js';
import { isolationForest } from './isolation-forest.js';
import { randomForest } from './random-forest.js';
import { lstm } from './lstm.js';
import { ensemble } from './ensemble.js';
import { contextual } from './contextual.js';
import { residualContextual } from './residual-contextual.js';

export { DEFAULT_THRESHOLD } from './blocks/severity.js';

/** the detector a series gets when its config names none (docs/benchmarks.md: how it was chosen) */
export const DEFAULT_DETECTOR = 'residual_contextual';

export const DETECTORS: Record<string, DetectorFactory> = {
  residual_contextual: residualContextual,
  residual,
  isolation_forest: isolationForest,
  random_forest: randomForest,
  lstm,
  ensemble,
  contextual,
};

export function getDetector(name: string): DetectorFactory | undefined {
  return Object.hasOwn(DETECTORS, name) ? DETECTORS[name] : undefined;
}
