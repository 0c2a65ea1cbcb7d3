import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-cli-run-'));

describe('cloudpulse help', () => {
  it('lists every command with its summary, and prints one command’s usage', async () => {
    const all = await cli('help');
    expect(all.code).toBe(0);
    for (const name of [
      'run',
      'forecast',
      'detect',
      'version',
      'simulate',
      'backtest',
      'evaluate',
      'plan',
      'scale-sim',
    ])
      expect(all.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    const forecast = await cli('help', 'forecast');
    expect(forecast.stdout).toMatch(/^usage: cloudpulse forecast --input PATH/);
    expect(forecast.stdout).toContain('--strict-order');
    expect((await cli('help', 'toString')).stdout).toBe(all.stdout);
  });
});

describe('cloudpulse run', () => {
  it('stops before doing anything on a bad config, naming the file and key path', async () => {
    const cfg = join(dir, 'bad.yml');
    writeFileSync(cfg, 'series:\n  - name: cpu\n    query: up\n    horizons: [5m, soon]\n');
    const r = await cli('run', '--config.file', cfg, '--web.listen-address', '127.0.0.1:0');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`invalid configuration in ${cfg}`);
    expect(r.stderr).toContain('series[0].horizons[1]: expected a duration');
  });

  it('stops before listening on semantic config errors: PromQL syntax, horizons between steps', async () => {
    const cfg = join(dir, 'semantic.yml');
    writeFileSync(
      cfg,
      "series:\n  - name: cpu\n    query: 'sum(rate(node_cpu_seconds_total[5m])'\n    step: 5m\n    horizons: [2s, 7m]\n",
    );
    const r = await cli('run', '--config.file', cfg, '--web.listen-address', '127.0.0.1:0');
    // `run` only returns before a signal when it never started serving
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`invalid configuration in ${cfg}`);
    expect(r.stderr).toContain('series[0].query: expected a PromQL expression; syntax error at column 37');
    expect(r.stderr).toContain('series[0].horizons[0]: expected at least one step (step is 5m), got 2s');
    expect(r.stderr).toContain('series[0].horizons[1]: expected a whole number of steps (step is 5m), got 7m');
    expect(r.stderr).not.toContain('cloudpulse started');
  });

  it('rejects an unknown model name with its key path', async () => {
    const cfg = join(dir, 'model.yml');
    writeFileSync(cfg, 'series:\n  - name: cpu\n    query: up\n    model: magic\n');
    const r = await cli('run', '--config.file', cfg);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/series\[0\]\.model: expected one of .*got "magic"/);
  });

  it('is runnable as the cloudpulse bin', () => {
    const bin = new URL('../bin/cloudpulse.js', import.meta.url).pathname;
    const out = execFileSync(process.execPath, [bin, 'version'], { encoding: 'utf8' });
    expect(out).toMatch(/^cloudpulse \d+\.\d+\.\d+/);
  });
});
