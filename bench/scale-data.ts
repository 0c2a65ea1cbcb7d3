/**
 * Data for the scale benchmark: many realistic series from the simulation generator, written as
 * OpenMetrics text and backfilled into a real Prometheus TSDB with `promtool tsdb
 * create-blocks-from openmetrics`. The text is cut into one file per two-hour block window:
 * promtool parses its whole input once per block it writes, so one big file of a week would be
 * read 84 times; per-window files are read once each.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { anomalyPlan } from '../exporter/src/sources/simulation.js';
import { alignedGrid, simulateSeries } from '../exporter/src/sources/simulation/generator.js';
import type { MetricKind } from '../exporter/src/sources/simulation/anomalies.js';

const run = promisify(execFile);
/** promtool's block length */
const BLOCK = 7200;

export interface SeriesSet {
  /** metric name in the TSDB */
  metric: string;
  /** what the generator simulates */
  kind: MetricKind;
  count: number;
  step: number;
  /** unix seconds, inclusive */
  start: number;
  end: number;
}

/** labels of series i: instance, job, and a group of a tenth of the set (so a query can take 1k of 10k) */
export function labelsOf(i: number): string {
  return `instance="sim-${i}:9100",job="node",group="g${i % 10}"`;
}

/** Write `set` as OpenMetrics files, one per two-hour window, into `dir`; returns the files. */
export async function writeOpenMetrics(set: SeriesSet, dir: string, seed = 42): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const plan = anomalyPlan(
    { instances: set.count, seed, history: 0, anomalies: true, speed: 1, inject: [] },
    set.start,
  );
  const files: string[] = [];
  for (let from = Math.floor(set.start / BLOCK) * BLOCK; from <= set.end; from += BLOCK) {
    const times = alignedGrid(Math.max(from, set.start), Math.min(from + BLOCK - set.step, set.end), set.step);
    if (times.length === 0) continue;
    const file = join(dir, `${set.metric}-${from}.om`);
    const out = createWriteStream(file);
    out.write(`# TYPE ${set.metric} gauge\n`);
    for (let i = 0; i < set.count; i++) {
      const values = simulateSeries(plan, set.kind, i, times, set.metric);
      const labels = labelsOf(i);
      let text = '';
      for (let k = 0; k < times.length; k++) text += `${set.metric}{${labels}} ${values[k]} ${times[k]}\n`;
      if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
    }
    await new Promise<void>((resolve, reject) =>
      out.end('# EOF\n', (err?: Error | null) => (err ? reject(err) : resolve())),
    );
    files.push(file);
  }
  return files;
}

/** Backfill every file into `dataDir` with promtool, two at a time; removes each file once loaded. */
export async function backfill(files: string[], dataDir: string, onProgress: (done: number) => void): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', file, dataDir], {
        maxBuffer: 64 * 1024 * 1024,
      });
      rmSync(file);
      onProgress(++done);
    }
  };
  await Promise.all([worker(), worker()]);
}

/** blocks in a TSDB directory */
export function blockCount(dataDir: string): number {
  return readdirSync(dataDir).filter((name) => /^[0-9A-Z]{26}$/.test(name)).length;
}
