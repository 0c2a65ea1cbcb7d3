import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';
import { series } from './cli-series.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-cli-'));
const file = join(dir, 'cpu.csv');
writeFileSync(file, series());

describe('cloudpulse forecast', () => {
  it('prints exactly N rows after the last timestamp with one lo/hi pair per level', async () => {
    const { code, stdout } = await cli('forecast', '--input', file, '--horizon', '12', '--model', 'seasonal_naive');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('timestamp,yhat,lo80,hi80,lo95,hi95');
    expect(lines).toHaveLength(13);
    expect(lines[1].startsWith('2026-01-03 00:00:00,')).toBe(true);
    expect(lines[12].startsWith('2026-01-03 00:55:00,')).toBe(true);
    for (const line of lines.slice(1)) {
      const [, yhat, lo80, hi80, lo95, hi95] = line.split(',').map(Number);
      expect(lo95).toBeLessThanOrEqual(lo80);
      expect(lo80).toBeLessThanOrEqual(yhat);
      expect(yhat).toBeLessThanOrEqual(hi80);
      expect(hi80).toBeLessThanOrEqual(hi95);
    }
  });

  it('prints a forecast with bands of width for every file: sparse spikes, a flat count, too few points', async () => {
    const many = join(dir, 'every');
    mkdirSync(many, { recursive: true });
    const write = (name: string, values: number[]) =>
      writeFileSync(
        join(many, name),
        ['timestamp,value', ...values.map((v, i) => `${1_700_000_000 + 300 * i},${v}`)].join('\n'),
      );
    // 97% zeros with rare spikes, the last days all zero (bitbrains vm27_mem_kb's shape)
    write(
      'spikes.csv',
      Array.from({ length: 2016 }, (_, i) => (i < 1200 && i % 41 === 0 ? 1073741.6 * (1 + (i % 3)) : 0)),
    );
    // an integer count that sat still for the last day
    write(
      'count.csv',
      Array.from({ length: 1000 }, (_, i) => (i < 700 ? 10 + (i % 5) : 12)),
    );
    write('short.csv', [3, 4, 5, 4, 3]);
    const out = join(dir, 'every-out');
    for (const model of ['ets', 'auto', 'mstl']) {
      const r = await cli('forecast', '--input', many, '--horizon', '48', '--model', model, '--output', out);
      expect(r.code, `${model}: ${r.stderr}`).toBe(0);
      for (const name of ['spikes.csv', 'count.csv', 'short.csv']) {
        const rows = readFileSync(join(out, name), 'utf8').trim().split('\n').slice(1);
        expect(rows).toHaveLength(48);
        for (const row of rows) {
          const [, , lo80, hi80, lo95, hi95] = row.split(',').map(Number);
          expect(hi80 - lo80, `${model} ${name}`).toBeGreaterThan(0);
          expect(hi95 - lo95).toBeGreaterThanOrEqual(hi80 - lo80);
        }
      }
      // augurs MSTL refuses five points: the fallback chain answers, and says so once
      if (model === 'mstl') expect(r.stderr).toMatch(/short\.csv: served auto instead \(mstl: needs at least 8 points/);
    }
  });

  it('takes custom levels and writes a directory of results with the inputs’ names', async () => {
    const inDir = join(dir, 'in');
    mkdirSync(join(inDir, 'sub'), { recursive: true });
    writeFileSync(join(inDir, 'a.csv'), series(300));
    writeFileSync(join(inDir, 'sub', 'b.csv'), series(300));
    const out = join(dir, 'out');
    const r = await cli(
      'forecast',
      '--input',
      inDir,
      '--horizon',
      '3',
      '--levels',
      '50,99',
      '--model',
      'seasonal_naive',
      '--output',
      out,
    );
    expect(r.code).toBe(0);
    for (const name of ['a.csv', join('sub', 'b.csv')]) {
      const lines = readFileSync(join(out, name), 'utf8').trim().split('\n');
      expect(lines[0]).toBe('timestamp,yhat,lo50,hi50,lo99,hi99');
      expect(lines).toHaveLength(4);
    }
  });

  it('reads unix-second timestamps and answers in kind', async () => {
    const unix = join(dir, 'unix.csv');
    writeFileSync(unix, 'timestamp,value\n1000,1\n1060,2\n1120,NaN\n1180,4\n1180,4\n1240,5\n');
    const { code, stdout } = await cli('forecast', '--input', unix, '--horizon', '2', '--model', 'seasonal_naive');
    expect(code).toBe(0);
    expect(
      stdout
        .split('\n')
        .slice(1, 3)
        .map((l) => l.split(',')[0]),
    ).toEqual(['1300', '1360']);
  });

  it('names the file and line of a bad row and exits non-zero', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp,value\n1000,1\n1060,abc\n');
    const r = await cli('forecast', '--input', bad, '--horizon', '2');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:3: cannot read value "abc"`);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await cli('forecast', '--input', file)).code).toBe(2);
    expect((await cli('forecast', '--input', file, '--horizon', '0')).code).toBe(2);
    expect((await cli('forecast', '--input', file, '--horizon', '3', '--model', 'magic')).stderr).toContain(
      'unknown model "magic"',
    );
    expect((await cli('forecast', '--bogus')).stderr).toContain('unknown flag --bogus');
    expect((await cli('frobnicate')).code).toBe(2);
  });
});

describe('cloudpulse detect', () => {
  it('scores every input row, in order, with timestamps echoed as given', async () => {
    const { code, stdout } = await cli('detect', '--input', file);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    const input = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,is_anomaly');
    expect(lines).toHaveLength(input.length);
    lines.slice(1).forEach((line, i) => {
      const [ts, , score, flag] = line.split(',');
      expect(ts).toBe(input[i + 1].split(',')[0]);
      expect(Number(score)).toBeGreaterThanOrEqual(0);
      expect(Number(score)).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(flag);
    });
    // the spike at row 500 scores higher than the typical point
    const scores = lines.slice(1).map((l) => Number(l.split(',')[2]));
    const typical = [...scores.slice(300, 480)].sort((a, b) => a - b)[90];
    expect(Math.max(...scores.slice(500, 503))).toBeGreaterThan(typical);
  });

  it('is causal: truncating the input leaves earlier rows unchanged', async () => {
    const full = (await cli('detect', '--input', file)).stdout.trim().split('\n');
    const cut = join(dir, 'cut.csv');
    writeFileSync(cut, readFileSync(file, 'utf8').trim().split('\n').slice(0, 401).join('\n') + '\n');
    const part = (await cli('detect', '--input', cut)).stdout.trim().split('\n');
    expect(part).toHaveLength(401);
    expect(part).toEqual(full.slice(0, 401));
  });
});
describe('cloudpulse detect --labels', () => {
  it('hands known incidents to random_forest, which uses a window only once it has ended', async () => {
    const at = (row: number) =>
      new Date((Date.UTC(2026, 0, 1) / 1000 + row * 300) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const labels = join(dir, 'labels.json');
    writeFileSync(labels, JSON.stringify({ 'cpu.csv': [[at(330), at(340)]] }));
    const plain = (await cli('detect', '--input', file, '--model', 'random_forest')).stdout.trim().split('\n');
    const taught = await cli('detect', '--input', file, '--model', 'random_forest', '--labels', labels);
    expect(taught.code).toBe(0);
    const lines = taught.stdout.trim().split('\n');
    // rows up to the window's end cannot depend on it; later rows may
    expect(lines.slice(0, 342)).toEqual(plain.slice(0, 342));
    expect(lines).not.toEqual(plain);
    writeFileSync(labels, '{"cpu.csv": [["soon", "later"]]}');
    const bad = await cli('detect', '--input', file, '--labels', labels);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--labels ${labels}`);
  });
});
