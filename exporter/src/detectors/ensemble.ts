/**
 * `ensemble`: residual and a small isolation forest side by side; the score is the larger of the
 * two. Both are tail probabilities on the same root scale (blocks/severity.ts), so max is a fair
 * combination. The forest catches combinations residual has no signal for (an ordinary value
 * reached by an unusual jump, an unusual spread at an ordinary level), residual the excursions a
 * forest smooths over. Across every development data set it beats both members with a threshold
 * chosen on the other sets; on the NAB files alone it trails residual (docs/benchmarks.md). The
 * forest is half size (8 trees, 128 training points) so the pair stays near one scorer's budget.
 */
import type { Detection, DetectorFactory, ScorerOptions, SeriesScorer } from './types.js';
import { AlertState } from './blocks/severity.js';
import { createResidualScorer } from './residual.js';
import { createMultivariate } from './isolation-forest.js';
import { FOREST_DEFAULTS } from './blocks/forest-scorer.js';

const SMALL_FOREST = { ...FOREST_DEFAULTS, trees: 8, reservoir: 128 };

export class EnsembleScorer implements SeriesScorer {
  private readonly alert: AlertState;

  constructor(
    private readonly members: SeriesScorer[],
    options: ScorerOptions,
  ) {
    this.alert = new AlertState({ threshold: options.threshold });
  }

  score(t: number, v: number): Detection {
    let best: Detection | undefined;
    let band: Detection | undefined;
    for (const m of this.members) {
      const d = m.score(t, v);
      if (!best || d.score > best.score) best = d;
      if (!band && d.expected !== undefined) band = d;
    }
    const status = this.alert.update(best!.score);
    return {
      score: best!.score,
      isAnomaly: status.isAnomaly,
      severity: status.severity,
      expected: band?.expected,
      lower: band?.lower,
      upper: band?.upper,
    };
  }

  toJSON(): unknown {
    return { members: this.members.map((m) => m.toJSON()) };
  }
}

export const ensemble: DetectorFactory = {
  name: 'ensemble',
  summary: 'maximum of residual and a small isolation forest',
  create: (options) =>
    new EnsembleScorer([createResidualScorer(options), createMultivariate(options, 1, SMALL_FOREST)], options),
};
