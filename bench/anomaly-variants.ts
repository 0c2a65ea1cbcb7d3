/**
 * Detector variants tried during development (each counts towards "N variants tried" in
 * docs/benchmarks.md). The product's detectors are the DETECTORS map; these are its versions
 * and alternative settings, named for the sweep.
 */
import type { DetectorFactory } from '../exporter/src/detectors/types.js';
import { DETECTORS } from '../exporter/src/detectors/index.js';

export const VARIANTS: Record<string, DetectorFactory> = {
  ...DETECTORS,
};
