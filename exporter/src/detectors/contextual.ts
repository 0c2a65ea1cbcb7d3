/**
 * `contextual`: a context detector in the spirit of CAD OSE (Smirnov's Contextual Anomaly
 * Detector, open-source edition, as published with NAB). Each point becomes facts: its value
 * and its change since the previous point, each quantised. A context is a short run of facts and
 * the fact that followed it; the detector remembers every context it has seen (a bounded
 * memory, blocks/context-memory.ts). A point is scored by the contexts it activates: of the
 * contexts whose left part (the facts before it) has been seen before, the share that never
 * continued the way this point does. A familiar sequence scores 0; a value never reached, a
 * jump never made from here, a rhythm never followed score up to 1.
 *
 * Scale-free: the quantum is a power of two near the recent range over `levels`, so it follows
 * the series' own range, and several resolutions (each half the next) are remembered at once,
 * so a quantum that moves up or down by one still finds its contexts learnt. Counts of points,
 * not seconds: a context spans points, and a gap of many steps starts the runs anew. The score
 * is the share of unpredicted contexts through the root scale of blocks/severity.ts; repeats of
 * an alarm are damped as in `residual`.
 */
import type { Detection, DetectorFactory, ScorerOptions, SeriesScorer } from './types.js';
import { AlertState, scoreFromSurprise } from './blocks/severity.js';
import { BlockRange } from './blocks/block-range.js';
import { ContextMemory, asKey, mixHash } from './blocks/context-memory.js';
import { RepeatSuppressor } from './blocks/repeat-suppressor.js';
import { CounterView } from './blocks/counter.js';

export interface ContextualSettings {
  /** levels across the recent range at the middle resolution */
  levels: number;
  /** resolutions remembered and scored, each half the next, centred on the middle one */
  resolutions: number;
  /** longest left part of a context, in points */
  order: number;
  /** points the recent range covers */
  rangePoints: number;
  /** points before anything scores */
  warmup: number;
  /** a gap of more than this many steps starts every context anew */
  gapSteps: number;
  /** context hashes remembered (a power of two) */
  capacity: number;
  /** surprise of a point whose every active context is new */
  fullSurprise: number;
  /**
   * points of history at which a point's surprise is `fullSurprise` times its share: with fewer,
   * it is scaled by ln(points + 1) / ln(evidencePoints + 1), as a new extreme is in
   * range-novelty.ts (a context unseen in a short history is less telling); 0 scales nothing
   */
  evidencePoints: number;
  /** half-life, in points, of the damping of repeats after an alarm */
  repeatHalfLife: number;
  /** which facts make contexts: the value, its change since the previous point */
  facts: { value: boolean; delta: boolean };
}

export const CONTEXTUAL_DEFAULTS: ContextualSettings = {
  levels: 8,
  resolutions: 3,
  order: 3,
  rangePoints: 4032,
  warmup: 150,
  gapSteps: 12,
  capacity: 4096,
  fullSurprise: 20,
  evidencePoints: 0,
  repeatHalfLife: 96,
  facts: { value: true, delta: false },
};

/** fact streams: 0 value, 1 change since the previous point */
const STREAMS = 2;
/** salt that tells a whole context (left part and the fact after it) from a left part */
const WHOLE = 0x5bd1e995;

export class ContextualScorer implements SeriesScorer {
  private readonly memory: ContextMemory;
  private readonly range: BlockRange;
  private readonly alert: AlertState;
  private readonly repeats: RepeatSuppressor;
  private readonly counter: CounterView;
  /** per stream and resolution, the last `order` symbols, newest first */
  private readonly recent: Float64Array;
  /** symbols held per stream and resolution (0 after a gap) */
  private held = 0;
  private lastT = NaN;
  private lastV = NaN;
  private points = 0;
  private last: Detection = { score: 0, isAnomaly: false, severity: 0 };
  /** the value handed to the counter view (a plain array: a typed one costs a buffer and a view) */
  private readonly one = [0];
  private readonly sink = (t: number, x: Float64Array) => this.scoreValue(t, x[0]);

  constructor(
    private readonly step: number,
    threshold: number | undefined,
    private readonly s: ContextualSettings,
  ) {
    this.memory = new ContextMemory(s.capacity);
    this.range = new BlockRange(s.rangePoints);
    this.alert = new AlertState({ threshold });
    this.repeats = new RepeatSuppressor(s.repeatHalfLife);
    this.counter = new CounterView(step);
    this.recent = new Float64Array(STREAMS * s.resolutions * s.order);
  }

  score(t: number, v: number): Detection {
    this.one[0] = v;
    this.counter.push(t, this.one, this.sink);
    return this.last;
  }

  private scoreValue(t: number, v: number): void {
    if (Number.isFinite(this.lastT) && t - this.lastT > this.s.gapSteps * this.step) this.held = 0;
    this.lastT = t;
    if (!Number.isFinite(v)) return;
    const previous = this.lastV;
    this.lastV = v;
    this.range.push(v);
    this.points++;
    const spread = this.range.max - this.range.min;
    if (!(spread > 0)) {
      this.last = { score: 0, isAnomaly: false, severity: 0 };
      return;
    }
    // the middle quantum: a power of two, so it changes only when the range doubles or halves
    const middle = Math.floor(Math.log2(spread / this.s.levels));
    const first = middle - Math.floor(this.s.resolutions / 2);
    let active = 0;
    let unpredicted = 0;
    const order = this.s.order;
    const held = Math.min(this.held, order);
    for (let stream = 0; stream < STREAMS; stream++) {
      if (stream === 0 ? !this.s.facts.value : !this.s.facts.delta) continue;
      const x = stream === 0 ? v : v - previous;
      if (!Number.isFinite(x)) continue;
      for (let r = 0; r < this.s.resolutions; r++) {
        const exponent = first + r;
        const symbol = Math.floor(x / Math.pow(2, exponent));
        const base = (stream * this.s.resolutions + r) * order;
        // h: the left part of length k (newest symbol first), ending at the previous point
        const root = mixHash(mixHash(stream + 1, exponent), order);
        let h = root;
        for (let k = 0; k <= held; k++) {
          const known = this.memory.add(asKey(mixHash(h ^ WHOLE, symbol))) > 0;
          // the left part must have been seen before its latest sighting, else it predicts nothing
          if (k === 0 || this.memory.count(asKey(h)) >= 2) {
            active++;
            if (!known) unpredicted++;
          }
          if (k < held) h = mixHash(h, this.recent[base + k]);
        }
        // the left parts ending here, for the next point
        let g = mixHash(root, symbol);
        this.memory.add(asKey(g));
        for (let k = 0; k < held && k + 1 < order; k++) {
          g = mixHash(g, this.recent[base + k]);
          this.memory.add(asKey(g));
        }
        for (let k = order - 1; k > 0; k--) this.recent[base + k] = this.recent[base + k - 1];
        this.recent[base] = symbol;
      }
    }
    this.held++;
    const share = active > 0 ? unpredicted / active : 0;
    const e = this.s.evidencePoints;
    const weight = e > 0 ? Math.min(1, Math.log(this.points + 1) / Math.log(e + 1)) : 1;
    const surprise = this.points > this.s.warmup ? this.s.fullSurprise * weight * share : 0;
    const score = scoreFromSurprise(this.repeats.update(surprise));
    const status = this.alert.update(score);
    this.last = { score, isAnomaly: status.isAnomaly, severity: status.severity };
  }

  toJSON(): unknown {
    return { detector: 'contextual', step: this.step, points: this.points, counter: this.counter.isCounter };
  }
}

export function createContextualScorer(
  options: ScorerOptions,
  settings: Partial<ContextualSettings> = {},
): ContextualScorer {
  return new ContextualScorer(options.step, options.threshold, { ...CONTEXTUAL_DEFAULTS, ...settings });
}

export const contextual: DetectorFactory = {
  name: 'contextual',
  summary: 'share of the contexts of recent quantised values and changes never seen to continue this way',
  create: (options) => createContextualScorer(options),
};
