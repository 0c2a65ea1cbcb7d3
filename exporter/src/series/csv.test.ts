import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, parseTimestamp, toGrid } from './csv.js';

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
});
