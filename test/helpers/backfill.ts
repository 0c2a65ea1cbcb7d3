/**
 * Realistic history in a real Prometheus TSDB: series from the simulation generator written as
 * OpenMetrics and backfilled with `promtool tsdb create-blocks-from openmetrics`, as the scale
 * benchmark does at full size (bench/scale-data.ts).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { anomalyPlan } from '../../exporter/src/sources/simulation.js';
import { alignedGrid, simulateSeries } from '../../exporter/src/sources/simulation/generator.js';
import { findBinary, tempDir } from './processes.js';

const run = promisify(execFile);

export interface BackfillSet {
  metric: string;
  kind: 'cpu' | 'memory' | 'network';
  instances: number;
  /** seconds between samples */
  step: number;
  /** unix seconds, inclusive */
  start: number;
  end: number;
  seed?: number;
}

/** the labels of instance i: `instance="node-i:9100",job="node"` */
export const backfillLabels = (i: number) => ({ instance: `node-${i}:9100`, job: 'node' });

/** Writes the sets as one OpenMetrics file and backfills it into `dataDir`. */
export async function backfill(dataDir: string, sets: BackfillSet[]): Promise<void> {
  const promtool = findBinary('promtool');
  const lines: string[] = [];
  for (const set of sets) {
    const plan = anomalyPlan(
      { instances: set.instances, seed: set.seed ?? 42, history: 0, anomalies: false, speed: 1, inject: [] },
      set.start,
    );
    const times = alignedGrid(set.start, set.end, set.step);
    lines.push(`# TYPE ${set.metric} gauge`);
    for (let i = 0; i < set.instances; i++) {
      const values = simulateSeries(plan, set.kind, i, times, set.metric);
      const { instance, job } = backfillLabels(i);
      for (let k = 0; k < times.length; k++)
        lines.push(`${set.metric}{instance="${instance}",job="${job}"} ${values[k]} ${times[k]}`);
    }
  }
  lines.push('# EOF');
  const file = join(tempDir('openmetrics'), 'data.om');
  writeFileSync(file, lines.join('\n') + '\n');
  await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', file, dataDir], {
    maxBuffer: 64 * 1024 * 1024,
  });
}
