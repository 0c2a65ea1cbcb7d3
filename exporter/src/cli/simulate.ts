/**
 * `cloudpulse simulate --out DIR`: writes the simulation as a NAB-layout data set, so `evaluate`
 * and nab_score.py read it unchanged:
 *   DIR/data/simulated/<metric>_<instance>.csv   timestamp,value  (timestamps YYYY-MM-DD HH:MM:SS, UTC)
 *   DIR/labels/combined_windows.json             {"simulated/<file>.csv": [[start, end], ...]}
 *   DIR/labels/anomalies.json                    every anomaly's exact kind, span and size
 * Deterministic: the same flags give byte-identical files.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  anomaliesIn,
  METRIC_KINDS,
  SERVER_KINDS,
  type Anomaly,
  type MetricKind,
} from '../sources/simulation/anomalies.js';
import { alignedGrid, simulateSeries } from '../sources/simulation/generator.js';
import { DEFAULT_ANOMALY_RATE } from '../sources/simulation.js';
import { parseDuration } from '../util/duration.js';
import { parseFlags, requirePositiveInt } from './args.js';
import { UsageError, type Command } from './types.js';

const DEFAULT_START = '2024-01-01T00:00:00Z';
const CATEGORY = 'simulated';
const OUR_FILE = new RegExp(`^(${METRIC_KINDS.join('|')})_\\d+\\.csv$`);

/** unix seconds -> "YYYY-MM-DD HH:MM:SS" (UTC), the NAB timestamp form */
export function nabTimestamp(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * NAB-style label windows: each anomaly widened (centred) to 10% of the file's span divided by the
 * file's anomaly count, as NAB sizes its windows, snapped outwards to rows of the `step` grid from
 * `first`, clipped to the file and merged on overlap.
 */
export function labelWindows(
  anomalies: readonly Pick<Anomaly, 'start' | 'end'>[],
  first: number,
  last: number,
  step: number,
): [number, number][] {
  if (anomalies.length === 0) return [];
  const width = (0.1 * (last - first)) / anomalies.length;
  const windows = anomalies
    .map((a): [number, number] => {
      const pad = Math.max(0, (width - (a.end - a.start)) / 2);
      const from = first + step * Math.floor((a.start - pad - first) / step);
      const to = first + step * Math.ceil((a.end + pad - first) / step);
      return [Math.max(first, from), Math.min(last, to)];
    })
    .filter(([s, e]) => s <= e)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of windows) {
    const prev = merged[merged.length - 1];
    if (prev && w[0] <= prev[1]) prev[1] = Math.max(prev[1], w[1]);
    else merged.push([w[0], w[1]]);
  }
  return merged;
}

function formatValue(v: number): string {
  return String(Number(v.toPrecision(7)));
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'write simulated server metrics with labelled anomalies as a NAB-layout data set',
  usage: `usage: cloudpulse simulate --out DIR [flags]

Writes DIR/data/simulated/<metric>_<instance>.csv (timestamp,value), DIR/labels/combined_windows.json
(NAB label windows) and DIR/labels/anomalies.json (each anomaly's exact span). Same flags, same bytes.

Flags:
  --out DIR              output directory (required)
  --instances N          simulated instances (default 3)
  --days D               days of data (default 14)
  --step DURATION        resolution, e.g. 1m, 5m (default 5m)
  --seed S               random seed, an integer (default 42)
  --kinds LIST           metrics to write, from ${METRIC_KINDS.join(',')}
                         (default ${SERVER_KINDS.join(',')}: what a node exporter gives)
  --start TIME           first timestamp, ISO-8601 (default ${DEFAULT_START})
  --anomaly-rate R       random anomalies per day per file (default ${DEFAULT_ANOMALY_RATE}); at steps
                         above 5m anomalies last (and are spaced) step/5m times longer, so they
                         span as many points as at 5m
  --no-anomalies         no anomalies at all`,

  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'out', type: 'string' },
      { name: 'instances', type: 'number' },
      { name: 'days', type: 'number' },
      { name: 'step', type: 'string' },
      { name: 'seed', type: 'number' },
      { name: 'kinds', type: 'string' },
      { name: 'start', type: 'string' },
      { name: 'anomaly-rate', type: 'number' },
      { name: 'anomalies', type: 'boolean' },
    ]);
    const out = flags.out as string | undefined;
    if (!out) throw new UsageError('--out is required');
    const instances = flags.instances === undefined ? 3 : requirePositiveInt(flags, 'instances');
    const days = (flags.days as number | undefined) ?? 14;
    if (!(days > 0)) throw new UsageError(`--days expects a positive number, got "${days}"`);
    const stepText = (flags.step as string | undefined) ?? '5m';
    const step = parseDuration(stepText);
    if (step === undefined || step < 1 || !Number.isInteger(step)) {
      throw new UsageError(`--step expects a whole number of seconds as a duration such as 5m, got "${stepText}"`);
    }
    const seed = (flags.seed as number | undefined) ?? 42;
    if (!Number.isInteger(seed)) throw new UsageError(`--seed expects an integer, got "${seed}"`);
    const kinds = ((flags.kinds as string | undefined) ?? SERVER_KINDS.join(',')).split(',').map((k) => k.trim());
    for (const k of kinds) {
      if (!(METRIC_KINDS as readonly string[]).includes(k)) {
        throw new UsageError(`--kinds expects a list from ${METRIC_KINDS.join(',')}, got "${k}"`);
      }
    }
    const startText = (flags.start as string | undefined) ?? DEFAULT_START;
    const startMs = Date.parse(startText);
    if (Number.isNaN(startMs)) throw new UsageError(`--start expects an ISO-8601 time, got "${startText}"`);
    const rate =
      flags.anomalies === false ? 0 : ((flags['anomaly-rate'] as number | undefined) ?? DEFAULT_ANOMALY_RATE);
    if (!(rate >= 0 && rate <= 1)) throw new UsageError(`--anomaly-rate expects a number in [0, 1], got "${rate}"`);

    const plan = { seed, rate, injected: [], timeScale: Math.max(1, step / 300) };
    const timestamps = alignedGrid(startMs / 1000, startMs / 1000 + days * 86400 - step, step);
    const first = timestamps[0];
    const last = timestamps[timestamps.length - 1];
    const stamps = timestamps.map(nabTimestamp);

    const dataDir = join(out, 'data', CATEGORY);
    const labelDir = join(out, 'labels');
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(labelDir, { recursive: true });
    // a re-run with fewer instances or kinds must not leave stale files from the last one
    for (const f of readdirSync(dataDir)) if (OUR_FILE.test(f)) rmSync(join(dataDir, f));

    const windows: Record<string, [string, string][]> = {};
    const truth: object[] = [];
    for (const metric of kinds as MetricKind[]) {
      for (let i = 0; i < instances; i++) {
        const file = `${metric}_${i}.csv`;
        const key = `${CATEGORY}/${file}`;
        const values = simulateSeries(plan, metric, i, timestamps);
        const lines = values.map((v, j) => `${stamps[j]},${formatValue(v)}`);
        writeFileSync(join(dataDir, file), `timestamp,value\n${lines.join('\n')}\n`);
        const anomalies = anomaliesIn(plan, metric, i, first, last).filter((a) => a.start <= last && a.end > first);
        windows[key] = labelWindows(anomalies, first, last, step).map(([s, e]) => [
          `${nabTimestamp(s)}.000000`,
          `${nabTimestamp(e)}.000000`,
        ]);
        for (const a of anomalies) {
          truth.push({
            file: key,
            kind: a.kind,
            start: nabTimestamp(a.start),
            end: nabTimestamp(a.end),
            magnitude: Number(a.magnitude.toFixed(3)),
            direction: a.direction,
          });
        }
      }
    }
    writeFileSync(join(labelDir, 'combined_windows.json'), JSON.stringify(windows, null, 2) + '\n');
    writeFileSync(join(labelDir, 'anomalies.json'), JSON.stringify(truth, null, 2) + '\n');
    const files = kinds.length * instances;
    ctx.stderr.write(
      `simulate: wrote ${files} files of ${timestamps.length} rows (${stamps[0]} .. ${stamps[stamps.length - 1]} UTC, ` +
        `step ${stepText}) to ${dataDir}; ${truth.length} anomalies labelled in ${join(labelDir, 'combined_windows.json')}\n`,
    );
    return 0;
  },
};
