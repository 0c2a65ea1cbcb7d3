import { describe, expect, it } from 'vitest';
import { CsvError, inferStep, MAX_ABS_VALUE, orderWarning, parseCsv, parseTimestamp, toGrid } from './csv.js';
import { plainDecimal, plainSeconds } from './csv-cells.js';

describe('csv', () => {
  it('reads unix seconds, ISO-8601 and NAB-style UTC timestamps', () => {
    expect(parseTimestamp('1700000000')).toBe(1700000000);
    expect(parseTimestamp('2014-02-14 14:30:00')).toBe(Date.UTC(2014, 1, 14, 14, 30) / 1000);
    expect(parseTimestamp('2014-02-14T14:30:00Z')).toBe(Date.UTC(2014, 1, 14, 14, 30) / 1000);
    expect(parseTimestamp('2014-02-14T15:30:00+01:00')).toBe(Date.UTC(2014, 1, 14, 14, 30) / 1000);
    expect(parseTimestamp('yesterday')).toBeNaN();
  });

  it('names the file and line of a bad row', () => {
    const text = 'timestamp,value\n100,1\n200,oops\n';
    expect(() => parseCsv(text, 'x.csv')).toThrow(CsvError);
    expect(() => parseCsv(text, 'x.csv')).toThrow('x.csv:3: cannot read value "oops"');
    expect(() => parseCsv('timestamp,value\nnope,1\n', 'y.csv')).toThrow('y.csv:2: cannot read timestamp "nope"');
    expect(() => parseCsv('time,val\n1,2\n', 'z.csv')).toThrow(
      'z.csv:1: expected a header with columns timestamp,value',
    );
  });

  it('keeps NaN and empty values as gaps', () => {
    const { rows } = parseCsv('timestamp,value\n0,1\n60,NaN\n120,\n180,4\n', 'f.csv');
    expect(rows.map((r) => r.v)).toEqual([1, NaN, NaN, 4]);
  });

  it('puts points on a regular grid with gaps and duplicates handled', () => {
    const g = toGrid([0, 60, 60, 180, 240], [1, 2, 3, 5, 6]);
    expect(g.step).toBe(60);
    expect(Array.from(g.values)).toEqual([1, 3, NaN, 5, 6]);
    expect(Array.from(g.rowIndex)).toEqual([0, 1, 1, 3, 4]);
    expect(() => toGrid([60, 0], [1, 2])).toThrow('timestamps go backwards');
  });

  it('sorts rows out of time order by time and counts them; strictOrder rejects them with the line', () => {
    const text = 'timestamp,value\n1000,1\n1060,2\n1030,3\n1120,4\n';
    const { rows, order } = parseCsv(text, 'u.csv');
    expect(rows.map((r) => [r.t, r.v, r.line])).toEqual([
      [1000, 1, 2],
      [1030, 3, 4],
      [1060, 2, 3],
      [1120, 4, 5],
    ]);
    expect(order.outOfOrder).toBe(1);
    expect([order.firstOutOfOrder?.row.line, order.firstOutOfOrder?.after.line]).toEqual([4, 3]);
    expect(order.repeated).toBe(0);
    expect(() => parseCsv(text, 'u.csv', { strictOrder: true })).toThrow(
      'u.csv:4: timestamp 1030 is earlier than 1060 on line 3; rows must be in time order',
    );
  });

  it('keeps repeated timestamps, counted; strictOrder rejects them with the line', () => {
    const text = 'timestamp,value\n0,1\n0,2\n60,3\n';
    const { rows, order } = parseCsv(text, 'd.csv');
    expect(rows).toHaveLength(3);
    expect(order).toMatchObject({ outOfOrder: 0, repeated: 1 });
    expect([order.firstRepeated?.row.line, order.firstRepeated?.of.line]).toEqual([3, 2]);
    expect(() => parseCsv(text, 'd.csv', { strictOrder: true })).toThrow('d.csv:3: timestamp 0 repeats line 2');
  });

  it('sorts stably, so a repeated timestamp keeps its last number in file order, and warns once', () => {
    const text = 'timestamp,value\n120,9\n0,1\n60,2\n0,3\n60,NaN\n';
    const { rows, order } = parseCsv(text, 'x.csv');
    expect(rows.map((r) => r.line)).toEqual([3, 5, 4, 6, 2]);
    const grid = toGrid(
      rows.map((r) => r.t),
      rows.map((r) => r.v),
    );
    // 0 keeps the 3 written after the 1; 60 keeps its 2, since the NaN after it is a gap
    expect(Array.from(grid.values)).toEqual([3, 2, 9]);
    expect(order).toMatchObject({ outOfOrder: 4, repeated: 2 });
    expect(orderWarning('x.csv', order)).toBe(
      'x.csv:3: warning: 4 rows out of time order (first: timestamp 0 on line 3 is earlier than 120 on line 2) ' +
        'and 2 repeated timestamps (first: 0 on line 5 repeats line 3); read in time order, a repeated timestamp ' +
        'taking its last number (--strict-order makes this an error)',
    );
    expect(orderWarning('t.csv', parseCsv('timestamp,value\n0,1\n60,2\n', 't.csv').order)).toBeUndefined();
    expect(orderWarning('r.csv', parseCsv('timestamp,value\n0,1\n60,2\n60,3\n', 'r.csv').order)).toBe(
      'r.csv:4: warning: 1 repeated timestamp (first: 60 on line 4 repeats line 3); read in time order, a ' +
        'repeated timestamp taking its last number (--strict-order makes this an error)',
    );
  });

  it('reads quoted and padded cells, CRLF, blank lines, a BOM and any column order', () => {
    const text = '\uFEFFhost,"value", timestamp\r\na,"1.5","1000"\r\n\r\nb, 2 ,1060 \r\n  \nc,,1120\n';
    const { rows } = parseCsv(text, 'q.csv');
    expect(rows.map((r) => [r.raw, r.t, r.v, r.line])).toEqual([
      ['1000', 1000, 1.5, 2],
      ['1060', 1060, 2, 4],
      ['1120', 1120, NaN, 6],
    ]);
    expect(() => parseCsv('timestamp,value,host\n1000,1,a\n1060,2\n', 'c.csv')).toThrow(
      'c.csv:3: expected 3 columns, got 2: "1060,2"',
    );
    expect(parseCsv('timestamp,value\n0,-1\n60,+2\n120,.5\n180,1e3\n240,0x10\n', 'n.csv').rows.map((r) => r.v)).toEqual(
      [-1, 2, 0.5, 1000, 16],
    );
  });

  it('rejects a file too short to measure its step, never guessing one', () => {
    expect(() => parseCsv('timestamp,value\n1000,1\n', 'one.csv')).toThrow(
      'one.csv:2: one row: at least two distinct timestamps are needed to measure the step',
    );
    expect(() => parseCsv('timestamp,value\n1000,1\n1000,2\n', 'same.csv')).toThrow(
      'same.csv:2: 2 rows, all at 1000: at least two distinct timestamps',
    );
    expect(() => parseCsv('timestamp,value\n', 'empty.csv')).toThrow('empty.csv: no data rows');
    expect(() => parseCsv('timestamp,value\n0,NaN\n60,5\n120,\n', 'gaps.csv')).toThrow(
      'gaps.csv:3: only one numeric value among 3 rows',
    );
    expect(() => parseCsv('timestamp,value\n0,NaN\n60,\n', 'none.csv')).toThrow(
      'none.csv: no numeric value among 2 rows',
    );
    expect(() => inferStep([5, 5])).toThrow('at least two distinct timestamps');
  });

  it('rejects values beyond the magnitude models handle, with the line', () => {
    expect(MAX_ABS_VALUE).toBe(1e150);
    const at = (cell: string) => () => parseCsv(`timestamp,value\n0,1\n60,${cell}\n120,3\n`, 'big.csv');
    expect(at('1.7e308')).toThrow('big.csv:3: value 1.7e308 is beyond ±1e150');
    expect(at('-2e150')).toThrow('big.csv:3: value -2e150 is beyond ±1e150');
    // too large for a double is not a gap
    expect(at('1e400')).toThrow('big.csv:3: value 1e400 is beyond ±1e150');
    expect(parseCsv('timestamp,value\n0,1e150\n60,-1e150\n120,inf\n', 'ok.csv').rows.map((r) => r.v)).toEqual([
      1e150,
      -1e150,
      NaN,
    ]);
  });

  it('measures the step on a prefix, the shorter spacing on a tie', () => {
    expect(inferStep([0, 60, 120, 300, 360])).toBe(60);
    expect(inferStep([0, 60, 180])).toBe(60);
    // rows after the first 2000 spacings cannot change the step (detect stays causal)
    const t = Array.from({ length: 2001 }, (_, i) => i * 300);
    for (let i = 0; i < 5000; i++) t.push(t.at(-1)! + 60);
    expect(inferStep(t)).toBe(300);
  });

  it('reads plain decimals and unix seconds in place exactly as Number() does, and leaves other forms to it', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const cells: string[] = [
      '0',
      '-0',
      '+3',
      '.5',
      '5.',
      '-.25',
      '007',
      '123456789012345',
      '0.1',
      '0.3',
      '900719925474.099',
      '0.00000000000001',
    ];
    for (let i = 0; i < 20000; i++) {
      const digits = 1 + Math.floor(random() * 15);
      let text = '';
      for (let k = 0; k < digits; k++) text += Math.floor(random() * 10);
      const point = Math.floor(random() * (digits + 1));
      text = `${random() < 0.2 ? '-' : ''}${text.slice(0, point)}${random() < 0.8 ? '.' : ''}${text.slice(point)}`;
      cells.push(text);
    }
    for (const cell of cells) expect(Object.is(plainDecimal(cell, 0, cell.length), Number(cell)), cell).toBe(true);
    // other forms are not read here: exponents, hex, 16+ digits, signs alone, two points, words
    for (const cell of ['1e5', '0x10', '1234567890123456', '-', '.', '1.2.3', 'NaN', ' 1', '1,5']) {
      expect(plainDecimal(cell, 0, cell.length), cell).toBeNaN();
    }
    for (const cell of ['1700000000', '0', '1700000000123', '99999999999']) {
      expect(plainSeconds(cell, 0, cell.length), cell).toBe(parseTimestamp(cell));
    }
    for (const cell of ['-5', '1.5', '2014-01-01', '']) expect(plainSeconds(cell, 0, cell.length), cell).toBeNaN();
  });
});
