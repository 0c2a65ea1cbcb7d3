import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';
import { series } from './cli-series.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-cli-input-'));

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
