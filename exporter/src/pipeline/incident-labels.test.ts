import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/load.js';
import { validateNames } from '../config/names.js';
import { DETECTORS } from '../detectors/index.js';
import type { DetectorFactory, ScorerOptions } from '../detectors/types.js';
import { testPipeline } from '../../test/fixtures/test-pipeline.js';

const seen: ScorerOptions[] = [];
const spy: DetectorFactory = {
  name: 'spy',
  summary: 'test only',
  create(options) {
    seen.push(options);
    return { score: () => ({ score: 0, isAnomaly: false, severity: 0 }), toJSON: () => ({}) };
  },
};
afterEach(() => {
  delete (DETECTORS as Record<string, DetectorFactory>).spy;
  seen.length = 0;
});

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-labels-'));
const config = (labels: string) =>
  parseConfig(
    `
source: {simulation: {instances: 2, seed: 1, anomalies: false}}
series:
  - {name: cpu, query: q, simulate: cpu, model: seasonal_naive, detector: spy, lookback: 1d, anomaly_labels: ${labels}}
`,
    't.yml',
  );

describe('anomaly_labels in the live exporter', () => {
  it("hands each series its own known incidents, or the bare name's for all of them", async () => {
    (DETECTORS as Record<string, DetectorFactory>).spy = spy;
    const file = join(dir, 'labels.json');
    writeFileSync(
      file,
      JSON.stringify({
        'cpu{instance="sim-0:9100",job="node"}': [['2026-10-30 10:00:00', '2026-10-30 11:00:00']],
        cpu: [['2026-10-29 00:00:00', '2026-10-29 01:00:00']],
      }),
    );
    const { cycle } = testPipeline(config(file));
    await cycle();
    const labels = seen.map((o) => o.labels?.map(([a]) => new Date(a * 1000).toISOString().slice(0, 13)));
    expect(labels.sort()).toEqual([['2026-10-29T00'], ['2026-10-30T10']]);
  });

  it('refuses an unreadable labels file at start with the key path', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"cpu": [["soon", "later"]]}');
    (DETECTORS as Record<string, DetectorFactory>).spy = spy;
    expect(() => validateNames(config(bad), 'cloudpulse.yml')).toThrow(ConfigError);
    expect(() => validateNames(config(bad), 'cloudpulse.yml')).toThrow(
      /series\[0\]\.anomaly_labels: expected a readable labels file/,
    );
  });
});
