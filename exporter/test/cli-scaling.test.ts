import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';

/** `days` of 1-minute load with a daily surge at 10:00 and noise, unix-second timestamps */
function trace(days: number, start = 1_700_000_000 - (1_700_000_000 % 86400)): string[] {
  const lines = ['timestamp,value'];
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < days * 1440; i++) {
    const minute = i % 1440;
    const surge = minute >= 600 && minute < 660 ? 400 : 0;
    const v = 100 + 50 * Math.sin((2 * Math.PI * minute) / 1440) + surge + 20 * rand();
    lines.push(`${start + i * 60},${v.toFixed(2)}`);
  }
  return lines;
}

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-cli-scaling-'));
const lines = trace(3);
const file = join(dir, 'load.csv');
writeFileSync(file, lines.join('\n') + '\n');

describe('cloudpulse plan', () => {
  it('writes timestamp,value,scale_metric: one row per input row, timestamps echoed, never below the load', async () => {
    const { code, stdout } = await cli('plan', '--input', file, '--target', '25');
    expect(code).toBe(0);
    const out = stdout.trim().split('\n');
    expect(out[0]).toBe('timestamp,value,scale_metric');
    expect(out).toHaveLength(lines.length);
    for (let i = 1; i < out.length; i++) {
      const [t, v, m] = out[i].split(',');
      expect(t).toBe(lines[i].split(',')[0]);
      expect(Number(v)).toBeCloseTo(Number(lines[i].split(',')[1]), 6);
      expect(Number(m)).toBeGreaterThanOrEqual(Number(v));
    }
  });

  it('is strictly causal: a truncated input gives the same rows', async () => {
    const full = (await cli('plan', '--input', file, '--target', '25', '--lead-time', '5m')).stdout.split('\n');
    for (const cut of [1, 2, 61, 1440 + 590, 2 * 1440 + 605]) {
      const part = join(dir, `cut-${cut}.csv`);
      writeFileSync(part, lines.slice(0, cut + 1).join('\n') + '\n');
      const truncated = (await cli('plan', '--input', part, '--target', '25', '--lead-time', '5m')).stdout;
      expect(truncated.trim().split('\n'), `cut at ${cut} rows`).toEqual(full.slice(0, cut + 1));
    }
  });

  it('scales up before a daily surge once it has seen one', async () => {
    const { stdout } = await cli('plan', '--input', file, '--target', '25', '--lead-time', '5m');
    const metric = stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[2]));
    // on day three, a few minutes before 10:00 the planner already covers most of the surge
    const before = metric[2 * 1440 + 598];
    const load = Number(lines[1 + 2 * 1440 + 598].split(',')[1]);
    expect(before).toBeGreaterThan(load + 200);
  });

  it('writes to --output and reports the run on stderr', async () => {
    const out = join(dir, 'plan.csv');
    const { code, stderr } = await cli(
      'plan',
      '--input',
      file,
      '--target',
      '25',
      '--output',
      out,
      '--model',
      'seasonal_naive',
    );
    expect(code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('timestamp,value,scale_metric');
    expect(stderr).toMatch(/4320 rows at 1m, lead time 2m15s/);
  });

  it('rejects a missing or bad target, model and lead time with usage errors', async () => {
    expect((await cli('plan', '--input', file)).stderr).toMatch(/--target is required/);
    expect((await cli('plan', '--input', file, '--target', '0')).code).toBe(2);
    expect((await cli('plan', '--input', file, '--target', '5', '--model', 'nope')).stderr).toMatch(
      /unknown model "nope"/,
    );
    expect((await cli('plan', '--input', file, '--target', '5', '--lead-time', 'soon')).stderr).toMatch(
      /--lead-time expects a duration/,
    );
  });

  it('names the file and line of a bad row', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp,value\n1700000000,1\n1700000060,abc\n');
    const { code, stderr } = await cli('plan', '--input', bad, '--target', '1');
    expect(code).toBe(1);
    expect(stderr).toContain(`${bad}:3: cannot read value "abc"`);
  });
});

describe('cloudpulse scale-sim', () => {
  it('prints a table per start-up delay, and writes JSON and an HTML report', async () => {
    const json = join(dir, 'sim.json');
    const report = join(dir, 'sim.html');
    const { code, stdout } = await cli(
      'scale-sim',
      '--input',
      file,
      '--startup',
      '0,60s',
      '--headrooms',
      '0.25',
      '--json',
      json,
      '--report',
      report,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('start-up 0s, lead time 1m15s');
    expect(stdout).toContain('start-up 1m, lead time 2m15s');
    for (const p of ['predictive', 'reactive', 'recent_max', 'day_ago', 'reactive @ equal cost'])
      expect(stdout).toContain(p);
    const data = JSON.parse(readFileSync(json, 'utf8'));
    expect(data.startups).toHaveLength(2);
    const s = data.startups[1];
    // each policy at its own cost and at +25%; every other policy matched to predictive's cost
    expect(s.runs).toHaveLength(8);
    const cost = s.runs.find((r: { policy: string; headroom: number }) => r.policy === 'predictive' && r.headroom === 0)
      .score.replicaMinutes;
    for (const e of s.equalCost) expect(e.score.replicaMinutes).toBeCloseTo(cost, 0);
    // on a trace with a daily surge, forecasting beats the reactive HPA at equal cost
    const reactive = s.equalCost.find((e: { policy: string }) => e.policy === 'reactive');
    expect(reactive.ratio).toBeLessThan(1);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Load and ready capacity at 60s start-up');
  });

  it('rejects an unknown policy', async () => {
    const { code, stderr } = await cli('scale-sim', '--input', file, '--policies', 'predictive,psychic');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown policy "psychic"/);
  });
});
