/**
 * What kept a thread busy: reads a V8 CPU profile (one per thread) (`node --cpu-prof`, or
 * `bench/scale.ts --cpu-prof DIR` for the exporter under test) and prints every busy period (a run
 * of consecutive non-idle samples) longer than `--over` ms, with the functions that took the most
 * of it, self and inclusive. A busy period bounds a long task from above: work that yields with
 * setImmediate lets the event loop turn without ever idling, so one period can hold many short
 * tasks (`processImmediate` high in its inclusive list says so). The event-loop delay the bench
 * measures tells how long one task held the loop; this tells what kept the thread busy.
 *
 * Usage: tsx bench/busy-periods.ts PROFILE.cpuprofile [--over 50] [--top 6] [--json OUT]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const file = process.argv[2];
if (!file || file.startsWith('--')) {
  console.error('usage: tsx bench/busy-periods.ts PROFILE.cpuprofile [--over 50] [--top 6] [--json OUT]');
  process.exit(2);
}
const OVER_MS = Number(arg('over', '50'));
const TOP = Number(arg('top', '6'));

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) => {
  const f = n.callFrame;
  const where = f.url ? ` ${basename(f.url)}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'}${where}`;
};
const idle = (id: number) => byId.get(id)!.callFrame.functionName === '(idle)';

interface Period {
  startMs: number;
  ms: number;
  self: Array<[string, number]>;
  inclusive: Array<[string, number]>;
}

const periods: Period[] = [];
let busyMs = 0;
const startMs = profile.startTime / 1000;
let t = startMs;
/** the current period's samples as [node, ms], and when its first sample was taken */
let run: Array<[number, number]> = [];
let runStart = t;
const close = () => {
  const ms = run.reduce((a, [, d]) => a + d, 0);
  busyMs += ms;
  if (ms >= OVER_MS) {
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    for (const [id, d] of run) {
      const top = label(byId.get(id)!);
      self.set(top, (self.get(top) ?? 0) + d);
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const name = label(byId.get(at)!);
        if (name.startsWith('(root)') || seen.has(name)) continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + d);
      }
    }
    const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP) as Array<[string, number]>;
    periods.push({ startMs: runStart - startMs, ms, self: top(self), inclusive: top(inclusive) });
  }
  run = [];
};
for (let i = 0; i < profile.samples.length; i++) {
  const d = profile.timeDeltas[i] / 1000;
  t += d;
  if (idle(profile.samples[i])) close();
  else {
    if (run.length === 0) runStart = t - d;
    run.push([profile.samples[i], d]);
  }
}
close();

const totalMs = t - startMs;
console.log(
  `${basename(file)}: ${(totalMs / 1000).toFixed(1)} s profiled, ${(busyMs / 1000).toFixed(1)} s busy, ` +
    `${periods.length} busy periods over ${OVER_MS} ms`,
);
for (const s of [...periods].sort((a, b) => b.ms - a.ms).slice(0, 20)) {
  console.log(`\n${s.ms.toFixed(0)} ms at +${(s.startMs / 1000).toFixed(1)} s`);
  console.log('  self:      ' + s.self.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(' | '));
  console.log('  inclusive: ' + s.inclusive.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(' | '));
}
const out = arg('json', '');
if (out) writeFileSync(out, JSON.stringify({ file, overMs: OVER_MS, totalMs, busyMs, periods }, null, 2));
