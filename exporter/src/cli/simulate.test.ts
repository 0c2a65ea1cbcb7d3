import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { labelRows, listLabelledFiles, readCsvFile, readWindows } from '../evaluation/nab-layout.js';
import { simulateCommand, labelWindows, nabTimestamp } from './simulate.js';
import { UsageError } from './types.js';

async function simulate(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        write(String(chunk));
        done();
      },
    });
  const code = await simulateCommand.run(args, {
    stdout: sink(() => {}),
    stderr: sink((s) => (stderr += s)),
    env: {},
    interactive: false,
  });
  return { code, stderr };
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['data/simulated', 'labels']) {
    for (const f of readdirSync(join(dir, sub)).sort()) out[`${sub}/${f}`] = readFileSync(join(dir, sub, f), 'utf8');
  }
  return out;
}

describe('cloudpulse simulate', () => {
  it('writes a NAB-layout data set that the evaluation reader accepts, byte-identical on re-runs', async () => {
    const a = mkdtempSync(join(tmpdir(), 'cp-sim-'));
    const b = mkdtempSync(join(tmpdir(), 'cp-sim-'));
    const args = ['--instances', '2', '--days', '10', '--step', '10m', '--seed', '9', '--anomaly-rate', '0.5'];
    const first = await simulate(['--out', a, ...args]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/wrote 6 files of 1440 rows/);
    expect((await simulate(['--out', b, ...args])).code).toBe(0);
    expect(snapshot(b)).toEqual(snapshot(a));
    expect((await simulate(['--out', a, ...args])).code).toBe(0);
    expect(snapshot(a)).toEqual(snapshot(b));

    const files = listLabelledFiles(join(a, 'data'));
    expect(files.map((f) => f.key)).toEqual(
      ['cpu_0', 'cpu_1', 'memory_0', 'memory_1', 'network_0', 'network_1'].map((n) => `simulated/${n}.csv`),
    );
    const windows = readWindows(join(a, 'labels', 'combined_windows.json'));
    const truth = JSON.parse(readFileSync(join(a, 'labels', 'anomalies.json'), 'utf8')) as {
      file: string;
      start: string;
      end: string;
    }[];
    expect(truth.length).toBeGreaterThan(5);
    for (const f of files) {
      const { rows } = readCsvFile(f.path);
      expect(rows).toHaveLength(1440);
      expect(rows[0].raw).toBe('2024-01-01 00:00:00');
      expect(rows[1].t - rows[0].t).toBe(600);
      // every anomaly lies inside a label window, and windows cover some but not most rows
      const list = windows.get(f.key)!;
      for (const an of truth.filter((x) => x.file === f.key)) {
        // an anomaly that began before the first row is labelled from the first row
        const s = Math.max(rows[0].t, Date.parse(an.start + 'Z') / 1000);
        expect(list.some(([ws, we]) => ws <= s && s <= we)).toBe(true);
      }
      const labelled = labelRows(rows, list).reduce((x, y) => x + y, 0);
      expect(labelled).toBeLessThan(rows.length * 0.5);
      if (list.length) expect(labelled).toBeGreaterThan(0);
    }
  });

  it('writes no windows with --no-anomalies and removes files a previous run left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-sim-'));
    expect((await simulate(['--out', dir, '--instances', '3', '--days', '1'])).code).toBe(0);
    writeFileSync(join(dir, 'data', 'simulated', 'notes.txt'), 'mine');
    expect(
      (await simulate(['--out', dir, '--instances', '1', '--days', '1', '--kinds', 'cpu', '--no-anomalies'])).code,
    ).toBe(0);
    expect(readdirSync(join(dir, 'data', 'simulated')).sort()).toEqual(['cpu_0.csv', 'notes.txt']);
    expect(JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8'))).toEqual({
      'simulated/cpu_0.csv': [],
    });
    expect(JSON.parse(readFileSync(join(dir, 'labels', 'anomalies.json'), 'utf8'))).toEqual([]);
  });

  it('rejects bad flags with usage errors', async () => {
    await expect(simulate([])).rejects.toThrow(UsageError);
    await expect(simulate(['--out', '/tmp/x', '--kinds', 'cpu,disk'])).rejects.toThrow(/--kinds .* "disk"/);
    await expect(simulate(['--out', '/tmp/x', '--step', 'soon'])).rejects.toThrow(/--step/);
    await expect(simulate(['--out', '/tmp/x', '--instances', '0'])).rejects.toThrow(/--instances/);
    await expect(simulate(['--out', '/tmp/x', '--start', 'yesterday'])).rejects.toThrow(/--start/);
  });

  it('sizes label windows like NAB and merges overlaps', () => {
    const a = (start: number, end: number) => ({ start, end }) as Parameters<typeof labelWindows>[0][number];
    // file span 10,000 s, one anomaly of 100 s -> window of 1,000 s centred on it (4550..5550), widened to the 60 s grid
    expect(labelWindows([a(5000, 5100)], 0, 10_000, 60)).toEqual([[4500, 5580]]);
    expect(labelWindows([a(100, 200), a(300, 400)], 0, 10_000, 10)).toEqual([[0, 600]]);
    expect(nabTimestamp(Date.UTC(2024, 1, 29, 13, 5, 9) / 1000)).toBe('2024-02-29 13:05:09');
  });
});
