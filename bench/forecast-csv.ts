/** Reads the bench's `timestamp,value` CSV files; errors name the file and line. */
import { readFileSync } from 'node:fs';

export function readSeriesCsv(path: string): { t: number[]; v: number[] } {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  if (lines[0].trim() !== 'timestamp,value') throw new Error(`${path}:1: expected header timestamp,value`);
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const [a, b] = lines[i].split(',');
    const ts = Number(a);
    if (!Number.isFinite(ts)) throw new Error(`${path}:${i + 1}: bad timestamp ${JSON.stringify(a)}`);
    t.push(ts);
    v.push(b === undefined || b.trim() === '' ? NaN : Number(b));
  }
  return { t, v };
}
