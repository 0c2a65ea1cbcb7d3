/**
 * `ensemble`: residual and isolation forest side by side; the score is the larger of the two.
 * Both are tail probabilities on the same root scale (severity.ts), so max is a fair combination.
 */
import type { Detection, DetectorFactory, ScorerOptions, SeriesScorer } from './types.js';
import { AlertState } from './blocks/severity.js';
import { createResidualScorer } from './residual.js';
import { isolationForest } from './isolation-forest.js';

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
    for (const m of this.members) {
      const d = m.score(t, v);
      if (!best || d.score > best.score) best = { ...d, expected: d.expected ?? best?.expected };
    }
    const status = this.alert.update(best!.score);
    return { ...best!, isAnomaly: status.isAnomaly, severity: status.severity };
  }

  pending(): Promise<void> | undefined {
    const waits = this.members.map((m) => m.pending?.()).filter((p) => p !== undefined);
    return waits.length ? Promise.all(waits).then(() => undefined) : undefined;
  }

  toJSON(): unknown {
    return this.members.map((m) => m.toJSON());
  }
}

export const ensemble: DetectorFactory = {
  name: 'ensemble',
  summary: 'maximum of the residual and isolation-forest likelihoods',
  create: (options) => new EnsembleScorer([createResidualScorer(options), isolationForest.create(options)], options),
};
