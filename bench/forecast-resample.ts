/**
 * Development data at other steps, for checking that choices hold beyond 5 minutes: writes
 *   OUT/m15/<source>/<series>.csv   the forecast series averaged to 15 minutes
 *   OUT/h1/<source>/<series>.csv    the same averaged to 1 hour (series of at least 10 days)
 *   OUT/m1/scaling/<trace>.csv      ../shared/datasets/scaling's 1-minute traces on a regular grid
 *                                   (WorldCup98 skips a few minutes: filled linearly)
 * in forecast_bench.py's format. Nothing here leaves ../shared/datasets.
 *
 *   tsx bench/forecast-resample.ts --out DIR [--forecast ../shared/datasets/forecast] [--scaling ../shared/datasets/scaling]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCsv, readSeriesCsv } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const flag = (name: string, fallback?: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`missing --${name}`);
  return v;
};

function write(path: string, t: number[], v: number[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const lines = t.map((ts, i) => `${ts},${+v[i].toPrecision(10)}`);
  writeFileSync(path, ['timestamp,value', ...lines].join('\n') + '\n');
}

/** Means of consecutive groups of `k` points, stamped with each group's first time. */
function average(t: number[], v: number[], k: number): { t: number[]; v: number[] } {
  const out = { t: [] as number[], v: [] as number[] };
  for (let i = 0; i + k <= v.length; i += k) {
    out.t.push(t[i]);
    out.v.push(v.slice(i, i + k).reduce((a, b) => a + b, 0) / k);
  }
  return out;
}

/** Values on a regular grid of `step` seconds, linear between the given points. */
function regular(t: number[], v: number[], step: number): { t: number[]; v: number[] } {
  const out = { t: [] as number[], v: [] as number[] };
  let j = 0;
  for (let ts = t[0]; ts <= t[t.length - 1]; ts += step) {
    while (t[j + 1] < ts) j++;
    const f = t[j + 1] === t[j] || ts <= t[j] ? 0 : (ts - t[j]) / (t[j + 1] - t[j]);
    out.t.push(ts);
    out.v.push(v[j] + f * ((v[j + 1] ?? v[j]) - v[j]));
  }
  return out;
}

const out = resolve(flag('out'));
const forecast = resolve(flag('forecast', join(here, '../../shared/datasets/forecast')));
const scaling = resolve(flag('scaling', join(here, '../../shared/datasets/scaling')));
let written = 0;
for (const file of listCsv(forecast)) {
  const { t, v } = readSeriesCsv(file);
  const step = t[1] - t[0];
  const rel = relative(forecast, file);
  for (const [name, seconds, minimumPoints] of [
    ['m15', 900, 0],
    ['h1', 3600, 240],
  ] as const) {
    const k = Math.round(seconds / step);
    const averaged = average(t, v, k);
    if (averaged.v.length < minimumPoints) continue;
    write(join(out, name, rel), averaged.t, averaged.v);
    written++;
  }
}
for (const file of listCsv(scaling)) {
  const { t, v } = readSeriesCsv(file);
  const grid = regular(t, v, 60);
  write(join(out, 'm1', 'scaling', basename(file)), grid.t, grid.v);
  written++;
}
console.log(`wrote ${written} series under ${out} (m15, h1, m1)`);
