/**
 * Checks that the model and detector names in a config exist and can run in this installation
 * (lstm needs the optional TensorFlow.js), and that files it points to can be read, with the key
 * path on error.
 */
import { DETECTORS } from '../detectors/index.js';
import { readWindows } from '../series/incident-labels.js';
import { MODELS } from '../models/index.js';
import { ConfigError } from './load.js';
import type { Config } from './schema.js';

export function validateNames(config: Config, file: string): void {
  const problems: string[] = [];
  config.series.forEach((s, i) => {
    if (!Object.hasOwn(MODELS, s.model)) {
      problems.push(`series[${i}].model: expected one of ${Object.keys(MODELS).join(', ')}, got "${s.model}"`);
    } else {
      const missing = MODELS[s.model].unavailable?.();
      if (missing) problems.push(`series[${i}].model: "${s.model}" ${missing}`);
    }
    if (!Object.hasOwn(DETECTORS, s.detector)) {
      problems.push(`series[${i}].detector: expected one of ${Object.keys(DETECTORS).join(', ')}, got "${s.detector}"`);
    } else {
      const missing = DETECTORS[s.detector].unavailable?.();
      if (missing) problems.push(`series[${i}].detector: "${s.detector}" ${missing}`);
    }
    if (s.anomaly_labels !== undefined) {
      try {
        readWindows(s.anomaly_labels);
      } catch (err) {
        problems.push(`series[${i}].anomaly_labels: expected a readable labels file: ${(err as Error).message}`);
      }
    }
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
}
