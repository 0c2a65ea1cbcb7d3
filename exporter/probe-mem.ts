import { parseConfig } from './src/config/load.js';
import { EntryRenderer } from './src/store/exposition.js';
import { SeriesUnit } from './src/pipeline/series-unit.js';
const cfg = parseConfig(`
series:
  - {name: cpu, query: q, thresholds: [0.9], detector: ${process.argv[2] ?? 'residual'}, model: ${process.argv[3] ?? 'auto'}}
`, 't');
const entry = cfg.series[0];
const r = new EntryRenderer(entry);
const ev = { anomaly() {}, error(k: string, s: string, m: string) { console.log(s, m); }, dropped() {} };
const n = 200, pts = 2016, step = 300, t0 = 1.79e9;
const gc = () => (global as any).gc();
gc(); const m0 = process.memoryUsage().heapUsed;
const units: SeriesUnit[] = [];
const ts = Float64Array.from({ length: pts }, (_, i) => t0 + i * step);
for (let k = 0; k < n; k++) {
  const vs = Float64Array.from({ length: pts }, (_, i) => 0.5 + 0.2 * Math.sin(2 * Math.PI * i / 288) + 0.05 * Math.random());
  const u = new SeriesUnit(entry, { instance: `i${k}`, job: 'node' }, r, false, ev);
  u.append(ts, vs); units.push(u);
}
gc(); const m1 = process.memoryUsage().heapUsed;
for (const u of units) u.score();
gc(); const m2 = process.memoryUsage().heapUsed;
let ft = 0;
for (const u of units) { const a = performance.now(); await u.fit(t0); ft += performance.now() - a; await u.advance(t0); }
gc(); const m3 = process.memoryUsage().heapUsed;
const recs = units.map((u) => u.record());
gc(); const m4 = process.memoryUsage().heapUsed;
const kb = (a: number, b: number) => ((b - a) / n / 1024).toFixed(1);
console.log({ unitWithHistory: kb(m0, m1), scorerWarm: kb(m1, m2), modelForecast: kb(m2, m3), record: kb(m3, m4), total: kb(m0, m4), fitMs: (ft / n).toFixed(2), expositionBytes: recs[0].exposition.length, model: units[0].model?.description });
