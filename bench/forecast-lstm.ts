/**
 * The global LSTM as designed (one network per config entry, models/lstm.ts `fitLstmEntry`) on
 * the forecast bench beside `auto`: the 32 series of ../shared/datasets/forecast are one entry;
 * at each of the bench's 5 origins the network is trained once on every series' history up to
 * its own origin (<= 2,016 points), then each series is forecast 4 h ahead. Same scoring as
 * forecast_bench.py (MASE on the seasonal-naive scale, coverage over steps 1..H). Reports
 * accuracy, coverage (with the network's pooled bands and with the per-series conformal ones)
 * and the training time per entry. Prints a table, writes bench/results/forecast-lstm.json.
 *
 *   tsx bench/forecast-lstm.ts [--data DIR] [--origins 5] [--epochs 5] [--units 16]
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitLstmEntry } from '../exporter/src/models/lstm.js';
import { auto } from '../exporter/src/models/auto.js';
import { loadTf } from '../exporter/src/models/tf.js';
import { CalibratedModel } from '../exporter/src/models/calibration.js';
import type { ForecastResult } from '../exporter/src/models/types.js';
import { originsFor } from '../exporter/src/evaluation/rolling-origin.js';
import { coverage, geometricMean, maseScale, meanAbsoluteError } from '../exporter/src/evaluation/metrics.js';
import { median } from '../exporter/src/util/stats.js';
import { coverageSpread, flag, listCsv, readSeriesCsv, writeResults } from './forecast-csv.js';

const here = dirname(fileURLToPath(import.meta.url));
const LEVELS = [0.8, 0.95];
const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'nan');

interface Scores {
  mase: number[];
  cov: number[][];
}

function score(result: ForecastResult, actual: number[], scale: number, horizons: number[]): Scores {
  return {
    mase: horizons.map((h) => meanAbsoluteError(actual, result.point, h) / scale),
    cov: horizons.map((h) => result.intervals.map((iv) => coverage(actual, iv.lower, iv.upper, h))),
  };
}

async function main(): Promise<void> {
  const data = resolve(flag('data', join(here, '../../shared/datasets/forecast')));
  const count = Number(flag('origins', '5'));
  const epochs = Number(flag('epochs', '5'));
  const units = Number(flag('units', '16'));
  const series = listCsv(data).map((file) => ({ name: relative(data, file), ...readSeriesCsv(file) }));
  const step = series[0].t[1] - series[0].t[0];
  const horizons = [Math.round(3600 / step), Math.round(14400 / step)];
  const longest = horizons[1];
  const season = Math.round(86400 / step);
  const { backend } = await loadTf();
  const variants = ['lstm (network bands)', 'lstm (conformal per series)', 'auto'];
  const perSeries: Record<string, Scores[][]> = Object.fromEntries(variants.map((v) => [v, series.map(() => [])]));
  const trainSeconds: number[] = [];
  for (let k = 0; k < count; k++) {
    const cuts = series.map((s) => originsFor(s.v.length, longest, count)[k]);
    const histories = series.map((s, i) => {
      const from = Math.max(0, cuts[i] - 2016);
      return { values: s.v.slice(from, cuts[i]), step, start: s.t[from] };
    });
    const t0 = performance.now();
    const { models } = await fitLstmEntry(histories, { seed: k, epochs, units });
    trainSeconds.push((performance.now() - t0) / 1000);
    for (const [i, s] of series.entries()) {
      const { scale } = maseScale(histories[i].values, season);
      if (!Number.isFinite(scale)) continue;
      const actual = s.v.slice(cuts[i], cuts[i] + longest);
      const model = models[i];
      const own = model instanceof CalibratedModel ? model.inner : model;
      const autoModel = await auto.fit(histories[i]);
      const results = [own, model, autoModel].map((m) => m.forecast(longest, LEVELS));
      results.forEach((r, v) => perSeries[variants[v]][i].push(score(r, actual, scale, horizons)));
    }
    process.stderr.write(`origin ${k + 1}/${count}: entry trained in ${fmt(trainSeconds[k], 1)} s\n`);
  }
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = variants.flatMap((v) =>
    horizons.map((h, j) => {
      const rows = perSeries[v].filter((r) => r.length > 0);
      const mase = rows.map((r) => avg(r.map((o) => o.mase[j])));
      const spread = LEVELS.map((level, l) =>
        coverageSpread(
          rows.map((r) => avg(r.map((o) => o.cov[j][l]))),
          level,
        ),
      );
      return {
        variant: v,
        horizon: j === 0 ? '1h' : '4h',
        maseMean: avg(mase),
        maseMedian: median(mase),
        maseGeoMean: geometricMean(mase),
        coverage: spread.map((c) => c.mean),
        spread,
      };
    }),
  );
  console.log(
    `\nglobal LSTM, one entry of ${series.length} series, ${count} origins, units ${units}, epochs ${epochs}, backend ${backend}`,
  );
  console.log('variant                      h    MASE   MASEmd MASEgm  cov80  cov95  in80  in95');
  for (const s of summary) {
    console.log(
      `${s.variant.padEnd(28)} ${s.horizon}  ${fmt(s.maseMean)}  ${fmt(s.maseMedian)}  ${fmt(s.maseGeoMean)}  ${fmt(s.coverage[0])}  ${fmt(s.coverage[1])}  ${fmt(s.spread[0].inside, 2)}  ${fmt(s.spread[1].inside, 2)}`,
    );
  }
  console.log(
    `entry training (${series.length} series, worker-sized): median ${fmt(median(trainSeconds), 1)} s, per series ${fmt((median(trainSeconds) * 1000) / series.length, 0)} ms`,
  );
  writeResults('forecast-lstm.json', {
    backend,
    units,
    epochs,
    trainSeconds,
    summary,
  });
}

await main();
