/** Every anomaly detector by the name used in the config and in `cloudpulse detect --model`. */
import type { DetectorFactory } from './types.js';
import { residual } from './residual.js';
import { isolationForest } from './isolation-forest.js';
import { randomForest } from './random-forest.js';
import { lstm } from './lstm.js';
import { ensemble } from './ensemble.js';

export { DEFAULT_THRESHOLD } from './blocks/severity.js';

export const DETECTORS: Record<string, DetectorFactory> = {
  residual,
  isolation_forest: isolationForest,
  random_forest: randomForest,
  lstm,
  ensemble,
};

export function getDetector(name: string): DetectorFactory | undefined {
  return Object.hasOwn(DETECTORS, name) ? DETECTORS[name] : undefined;
}
