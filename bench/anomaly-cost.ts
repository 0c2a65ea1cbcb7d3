/**
 * Cost of one scorer per series, as the live pipeline runs them: bytes held per scorer after a
 * week of 5-minute points, and microseconds per point. Needs node's --expose-gc for the bytes.
 */
import { DETECTORS } from '../exporter/src/detectors/index.js';
import type { DetectorFactory } from '../exporter/src/detectors/types.js';
import { seededRandom } from '../exporter/src/util/random.js';

const WEEK = 2016;
const STEP = 300;

/** a week of a busy 5-minute series: daily cycle, noise, bursts */
function week(seed: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: WEEK }, (_, i) => {
    const burst = random() < 0.02 ? 20 * random() : 0;
    return 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 5 * random() + burst;
  });
}

function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export interface Cost {
  bytesPerScorer: number | undefined;
  microsPerPoint: number;
}

/** `scorers` scorers of `detector`, each fed the same week; bytes need --expose-gc */
export async function measureCost(detector: DetectorFactory, scorers = 200): Promise<Cost> {
  const values = week(1);
  const hasGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const before = heap();
  const kept = [];
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < scorers; k++) {
    const s = detector.create({ step: STEP, seed: k + 1 });
    for (let i = 0; i < WEEK; i++) {
      s.score(i * STEP, values[i]);
      const wait = s.pending?.();
      if (wait) await wait;
    }
    kept.push(s);
  }
  const micros = Number(process.hrtime.bigint() - t0) / 1e3 / (scorers * WEEK);
  const bytes = hasGc ? (heap() - before) / scorers : undefined;
  if (kept.length !== scorers) throw new Error('unreachable');
  return { bytesPerScorer: bytes, microsPerPoint: micros };
}

// node --expose-gc --import tsx bench/anomaly-cost.ts DETECTOR [--json]: one detector per process,
// so that no earlier measurement's garbage is counted
if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2] ?? 'residual';
  if (!DETECTORS[name]) throw new Error(`unknown detector "${name}"`);
  // the LSTM refits a network every simulated day: a few scorers are enough to see its cost
  const c = await measureCost(DETECTORS[name], name === 'lstm' ? 2 : 200);
  if (process.argv.includes('--json')) console.log(JSON.stringify(c));
  else
    console.log(
      name,
      c.bytesPerScorer === undefined ? '-' : Math.round(c.bytesPerScorer),
      'B',
      c.microsPerPoint,
      'µs/pt',
    );
}
