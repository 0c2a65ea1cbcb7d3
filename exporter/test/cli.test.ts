import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

async function cli(...args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env: {}, interactive: false });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** two days of a 5-minute daily sine with noise, in NAB's timestamp style */
function series(points = 576, start = Date.UTC(2026, 0, 1) / 1000): string {
  const lines = ['timestamp,value'];
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  for (let i = 0; i < points; i++) {
    const t = new Date((start + i * 300) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const v = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * rand() + (i === 500 ? 80 : 0);
    lines.push(`${t},${v.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

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

describe('bad input: one reader and one set of rules for every offline command', () => {
  const good = Array.from({ length: 40 }, (_, i) => `${1000 + 60 * i},${(i % 5) + 1}`);
  // out-of-order rows are sorted by default: they are an error only under --strict-order
  const cases: { name: string; rows: string[]; error: string; strict?: boolean }[] = [
    {
      name: 'unsorted',
      rows: ['1000,1', '1060,2', '1030,3', ...good.slice(4)],
      error: ':4: timestamp 1030 is earlier than 1060 on line 3',
      strict: true,
    },
    { name: 'one-row', rows: ['1000,1'], error: ':2: one row: at least two distinct timestamps are needed' },
    { name: 'one-timestamp', rows: ['1000,1', '1000,2'], error: ':2: 2 rows, all at 1000' },
    { name: 'no-numbers', rows: ['1000,NaN', '1060,', '1120,nan'], error: ': no numeric value among 3 rows' },
    {
      name: 'huge',
      rows: [...good.slice(0, 9), '1540,1.7e308', ...good.slice(10)],
      error: ':11: value 1.7e308 is beyond ±1e150',
    },
    {
      name: 'overflow',
      rows: [...good.slice(0, 4), '1240,1e400', ...good.slice(5)],
      error: ':6: value 1e400 is beyond ±1e150',
    },
  ];
  const badDir = join(dir, 'bad-input');
  mkdirSync(join(badDir, 'cat'), { recursive: true });
  for (const c of cases)
    writeFileSync(join(badDir, 'cat', `${c.name}.csv`), ['timestamp,value', ...c.rows].join('\n') + '\n');
  const path = (name: string) => join(badDir, 'cat', `${name}.csv`);
  const commands: Record<string, (file: string) => string[]> = {
    forecast: (f) => ['forecast', '--input', f, '--horizon', '2', '--model', 'seasonal_naive'],
    detect: (f) => ['detect', '--input', f],
    backtest: (f) => ['backtest', '--input', f, '--horizon', '2', '--model', 'seasonal_naive'],
  };

  for (const [command, argv] of Object.entries(commands)) {
    it(`${command} rejects every kind of bad file with its line and exit code 1`, async () => {
      for (const c of cases) {
        const r = await cli(...argv(path(c.name)), ...(c.strict ? ['--strict-order'] : []));
        expect(r.code, `${command} ${c.name}`).toBe(1);
        expect(r.stderr, `${command} ${c.name}`).toContain(`cloudpulse ${command}: ${path(c.name)}${c.error}`);
        expect(r.stdout, `${command} ${c.name}`).not.toMatch(/^timestamp,/);
      }
    });
  }

  it('evaluate rejects every kind of bad file with its line and exit code 1', async () => {
    const labels = join(badDir, 'labels.json');
    writeFileSync(labels, '{}');
    for (const c of cases) {
      const one = join(badDir, `only-${c.name}`);
      mkdirSync(join(one, 'cat'), { recursive: true });
      writeFileSync(join(one, 'cat', 'x.csv'), readFileSync(path(c.name)));
      const r = await cli('evaluate', '--input', one, '--labels', labels, ...(c.strict ? ['--strict-order'] : []));
      expect(r.code, c.name).toBe(1);
      expect(r.stderr, c.name).toContain(`${join(one, 'cat', 'x.csv')}${c.error}`);
    }
  });

  it('a bad file in a directory fails alone: the good ones are still written', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed, { recursive: true });
    writeFileSync(join(mixed, 'good.csv'), ['timestamp,value', ...good].join('\n') + '\n');
    writeFileSync(join(mixed, 'unsorted.csv'), readFileSync(path('unsorted')));
    for (const command of ['forecast', 'detect']) {
      const out = join(dir, `mixed-${command}`);
      const r = await cli(...commands[command](mixed), '--output', out, '--strict-order');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${join(mixed, 'unsorted.csv')}:4: timestamp 1030 is earlier`);
      expect(r.stderr).toContain(`cloudpulse ${command}: 1 of 2 files failed`);
      expect(readFileSync(join(out, 'good.csv'), 'utf8')).toMatch(/^timestamp,/);
    }
  });

  it('keeps the accepted forms: gaps, NaN, repeated timestamps, two rows', async () => {
    const holes = join(dir, 'holes.csv');
    const rows = good.filter((_, i) => i !== 7).map((r, i) => (i === 12 ? r.replace(/,.*/, ',NaN') : r));
    rows.splice(20, 0, rows[20]);
    writeFileSync(holes, ['timestamp,value', ...rows].join('\n') + '\n');
    for (const [command, argv] of Object.entries(commands)) {
      const r = await cli(...argv(holes));
      expect(r.code, `${command}: ${r.stderr}`).toBe(0);
    }
    const scored = (await cli('detect', '--input', holes)).stdout.trim().split('\n');
    expect(scored).toHaveLength(rows.length + 1);

    const ok = join(dir, 'two-rows.csv');
    writeFileSync(ok, 'timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,2\n');
    const f = await cli('forecast', '--input', ok, '--horizon', '1', '--model', 'seasonal_naive');
    expect(f.code).toBe(0);
    // the step is measured (5 minutes), not invented
    expect(f.stdout.split('\n')[1].startsWith('2026-01-01 00:10:00,')).toBe(true);
    const d = await cli('detect', '--input', ok);
    expect(d.code).toBe(0);
    expect(d.stdout.trim().split('\n')).toHaveLength(3);
  });
});

describe('rows out of time order and repeated timestamps: one rule for every command that reads CSV', () => {
  const orderDir = join(dir, 'order');
  mkdirSync(join(orderDir, 'cat'), { recursive: true });
  const tidy = series(600).trim().split('\n');
  const time = (line: string) => line.split(',')[0];
  // data rows 300-302 moved up before rows 200-299 (file lines 202-204), and data row 400 repeated
  // with another number straight after itself (file lines 402 and 403)
  const shuffled = [...tidy.slice(0, 201), ...tidy.slice(301, 304), ...tidy.slice(201, 301), ...tidy.slice(304)];
  const ts = time(tidy[401]);
  shuffled.splice(402, 0, `${ts},1000`);
  const shuffledFile = join(orderDir, 'cat', 'shuffled.csv');
  writeFileSync(shuffledFile, shuffled.join('\n') + '\n');
  // the same rows in time order (the repeat after its first row, as a stable sort leaves it) ...
  const inOrder = [...tidy.slice(0, 402), `${ts},1000`, ...tidy.slice(402)];
  const inOrderFile = join(dir, 'order-in-order.csv');
  writeFileSync(inOrderFile, inOrder.join('\n') + '\n');
  // ... and what the reader keeps of them: one row per timestamp, the repeat's last number
  const kept = join(dir, 'order-kept.csv');
  writeFileSync(kept, tidy.map((l, i) => (i === 401 ? `${ts},1000` : l)).join('\n') + '\n');
  const labels = join(dir, 'order-labels.json');
  writeFileSync(labels, '{}');
  const commands: Record<string, (input: string) => string[]> = {
    forecast: (f) => ['forecast', '--input', f, '--horizon', '3', '--model', 'ets'],
    detect: (f) => ['detect', '--input', f],
    backtest: (f) => ['backtest', '--input', f, '--horizon', '2', '--model', 'seasonal_naive', '--origins', '2'],
    evaluate: (d) => ['evaluate', '--input', d, '--labels', labels],
    plan: (f) => ['plan', '--input', f, '--target', '10'],
    'scale-sim': (f) => [
      'scale-sim',
      '--input',
      f,
      '--startup',
      '0',
      '--policies',
      'reactive,recent_max',
      '--headrooms',
      '0',
    ],
  };
  /** evaluate reads a NAB-style directory: `file` alone in DIR/cat/ */
  const inputFor = (command: string, file: string, name: string) => {
    if (command !== 'evaluate') return { input: file, named: file };
    const root = join(dir, `order-evaluate-${name}`);
    mkdirSync(join(root, 'cat'), { recursive: true });
    writeFileSync(join(root, 'cat', 'x.csv'), readFileSync(file));
    return { input: root, named: join(root, 'cat', 'x.csv') };
  };

  it('sorts by default and warns once per file with its first such line and the counts', async () => {
    for (const [command, argv] of Object.entries(commands)) {
      const { input, named } = inputFor(command, shuffledFile, 'shuffled');
      const r = await cli(...argv(input));
      expect(r.code, `${command}: ${r.stderr}`).toBe(0);
      expect(
        r.stderr.split('\n').filter((l) => l.includes('warning:')),
        command,
      ).toEqual([
        `cloudpulse ${command}: ${named}:205: warning: 100 rows out of time order (first: timestamp ${time(tidy[201])} ` +
          `on line 205 is earlier than ${time(tidy[303])} on line 204) and 1 repeated timestamp (first: ${ts} on line ` +
          '403 repeats line 402); read in time order, a repeated timestamp taking its last number (--strict-order ' +
          'makes this an error)',
      ]);
    }
  });

  it('--strict-order makes either an error naming the file and line, in every command', async () => {
    const steady = Array.from({ length: 40 }, (_, i) => `${180 + 60 * i},${(i % 5) + 1}`);
    const late = join(dir, 'order-late.csv');
    writeFileSync(late, ['timestamp,value', '0,1', '120,2', '60,3', ...steady].join('\n') + '\n');
    const again = join(dir, 'order-again.csv');
    writeFileSync(again, ['timestamp,value', '0,1', '60,2', '60,3', ...steady].join('\n') + '\n');
    for (const [command, argv] of Object.entries(commands)) {
      for (const [file, error] of [
        [late, ':4: timestamp 60 is earlier than 120 on line 3; rows must be in time order'],
        [again, ':4: timestamp 60 repeats line 3; rows must be in time order with one row per timestamp'],
      ]) {
        const { input, named } = inputFor(command, file, command);
        const r = await cli(...argv(input), '--strict-order');
        expect(r.code, `${command} ${file}`).toBe(1);
        expect(r.stderr, `${command} ${file}`).toContain(`${named}${error}`);
        // without the flag the same file is read
        expect((await cli(...argv(input))).code, `${command} ${file}`).toBe(0);
      }
    }
  });

  it('forecast uses every row: the shuffled file forecasts as the rows the reader keeps', async () => {
    const f = await cli('forecast', '--input', shuffledFile, '--horizon', '6', '--model', 'ets');
    expect(f.code).toBe(0);
    expect(f.stdout).toBe((await cli('forecast', '--input', kept, '--horizon', '6', '--model', 'ets')).stdout);
  });

  it('detect scores every row in time order and writes one line per input row in input order', async () => {
    const out = (await cli('detect', '--input', shuffledFile)).stdout.trim().split('\n');
    const reference = (await cli('detect', '--input', kept)).stdout.trim().split('\n');
    // aligned with the input: its timestamps and values, line for line
    expect(out).toHaveLength(shuffled.length);
    const value = (line: string) => Number(line.split(',')[1]);
    expect(out.slice(1).map(time)).toEqual(shuffled.slice(1).map(time));
    expect(out.slice(1).map(value)).toEqual(shuffled.slice(1).map(value));
    // each row has the score its timestamp gets from the kept rows: both rows of the repeat get
    // the score of its last number
    const scoreAt = new Map(reference.slice(1).map((l) => [time(l), l.split(',').slice(2).join(',')]));
    for (const line of out.slice(1)) expect(line.split(',').slice(2).join(','), line).toBe(scoreAt.get(time(line)));
  });

  it('plan writes every row in input order, each as it is in the file sorted by time', async () => {
    const out = (await cli('plan', '--input', shuffledFile, '--target', '10')).stdout.trim().split('\n');
    const reference = (await cli('plan', '--input', inOrderFile, '--target', '10')).stdout.trim().split('\n');
    expect(out.map(time)).toEqual(shuffled.map(time));
    // sorted stably by time, the lines are those of the file written in time order
    expect([out[0], ...out.slice(1).sort((x, y) => (time(x) < time(y) ? -1 : time(x) > time(y) ? 1 : 0))]).toEqual(
      reference,
    );
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
