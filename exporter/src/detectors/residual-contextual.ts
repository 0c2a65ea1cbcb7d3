/**
 * `residual_contextual` (the default detector): `residual` and `contextual` side by side; the
 * score is the larger of the two. Both are surprises on the root scale of blocks/severity.ts, so
 * one threshold serves the pair. They see different things: residual the size of a deviation
 * against the series' own history (new extremes, forecast errors, shifted means, flat-lines),
 * contextual the order of events (a run of values, or a jump, never seen to follow what came
 * before, whatever its size). Chosen leaving one NAB category out at a time: every held-out
 * category scored at least as well as with residual alone (docs/benchmarks.md).
 */
import type { DetectorFactory } from './types.js';
import { EnsembleScorer } from './ensemble.js';
import { createResidualScorer } from './residual.js';
import { createContextualScorer } from './contextual.js';

export const residualContextual: DetectorFactory = {
  name: 'residual_contextual',
  summary: 'maximum of residual and contextual (default)',
  create: (options) => new EnsembleScorer([createResidualScorer(options), createContextualScorer(options)], options),
};
