import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backtestCommand } from './backtest.js';
import type { CommandContext } from './types.js';
import { UsageError } from './types.js';
import { dailySeries } from '../../test/fixtures/synthetic-series.js';

function context(interactive = false) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const ctx: CommandContext = { stdout, stderr, env: {}, interactive };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

function writeSeries(dir: string, name: string, seed: number) {
  const s = dailySeries({ points: 3 * 288, seed, level: 20 * seed });
  const rows = s.values.map((v, i) => `${s.start + i * s.step},${v.toFixed(4)}`);
  writeFileSync(join(dir, name), ['timestamp,value', ...rows].join('\n') + '\n');
}

describe('cloudpulse backtest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-backtest-'));
  writeSeries(dir, 'alpha.csv', 1);
  writeSeries(dir, 'beta.csv', 2);

  it('prints the per-model table and writes a self-contained report with a plot per series', async () => {
    const { ctx, out, err } = context();
    const report = join(dir, 'report.html');
    const json = join(dir, 'scores.json');
    const args = ['--input', dir, '--horizon', '24', '--origins', '3', '--model', 'seasonal_naive,mstl'];
    const code = await backtestCommand.run([...args, '--report', report, '--json', json], ctx);
    expect(code).toBe(0);

    const lines = out().trim().split('\n');
    expect(lines[0]).toMatch(/2 series, horizon 24 steps/);
    expect(lines[1].split(/\s{2,}/)).toEqual([
      'model',
      'series',
      'MASE mean',
      'MASE median',
      'MASE gmean',
      'sMAPE %',
      'cov80',
      'cov95',
      'MSIS80 gmean',
      'MSIS95 gmean',
      'fit ms',
      'fails',
    ]);
    const rows = lines.slice(3).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(['seasonal_naive', 'mstl']);
    for (const r of rows) {
      expect(r[1]).toBe('2');
      const [mean, med, gmean, smape, c80, c95, msis80, msis95] = r.slice(2, 10).map(Number);
      for (const v of [mean, med, gmean, smape]) expect(v).toBeGreaterThan(0);
      expect(gmean).toBeLessThanOrEqual(mean + 1e-9);
      expect(c80).toBeLessThanOrEqual(c95);
      // an interval score is at least the band's width, and so at least the point's error share
      expect(msis80).toBeGreaterThan(0);
      expect(msis95).toBeGreaterThan(0);
      expect(r[11]).toBe('0');
    }
    // non-interactive stderr: plain progress lines, never carriage returns
    expect(err()).toMatch(/backtest: 12\/12/);
    expect(err()).not.toContain('\r');

    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/<(script|link|img)\b/);
    for (const name of ['alpha.csv', 'beta.csv']) expect(html).toContain(`<h2>${name}</h2>`);
    // one plot per series and model, each with one forecast line per origin plus the actuals
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('<td>mstl</td>');

    const scores = JSON.parse(readFileSync(json, 'utf8'));
    expect(scores.models.map((m: { model: string }) => m.model)).toEqual(['seasonal_naive', 'mstl']);
    expect(scores.models[1].perSeries[0].scores).toHaveLength(3);
  });

  it('redraws the progress bar in place on a terminal', async () => {
    const { ctx, err } = context(true);
    const file = join(dir, 'alpha.csv');
    expect(await backtestCommand.run(['--input', file, '--horizon', '12', '--model', 'seasonal_naive'], ctx)).toBe(0);
    expect(err()).toContain('\r');
  });

  it('rejects unknown models and missing flags as usage errors', async () => {
    const { ctx } = context();
    await expect(backtestCommand.run(['--input', dir, '--horizon', '4', '--model', 'nope'], ctx)).rejects.toThrow(
      UsageError,
    );
    await expect(backtestCommand.run(['--horizon', '4'], ctx)).rejects.toThrow(/--input is required/);
    await expect(backtestCommand.run(['--input', dir], ctx)).rejects.toThrow(/--horizon is required/);
  });
});
