/**
 * Adapter for ../shared/tools/forecast_bench.py's external-forecaster contract: reads the
 * history CSV, fits a registry model as `cloudpulse forecast` does (tail-calibrated bands, the
 * fallback chain when the model fails: models/fallback.ts), prints `step,yhat,lo80,hi80,lo95,hi95` for h steps and
 * `fit_seconds=` on stderr. (`cloudpulse forecast` prints timestamps, not the bench's steps.)
 *
 *   tsx bench/forecast-bench-adapter.ts --input FILE --horizon H [--model auto]
 */
import { getModel } from '../exporter/src/models/index.js';
import { calibrateOnTail } from '../exporter/src/models/tail-calibration.js';
import { fitWithFallback } from '../exporter/src/models/fallback.js';
import { readSeriesCsv } from './forecast-csv.js';

function flag(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`missing --${name}`);
  return v;
}

async function main(): Promise<void> {
  const input = flag('input');
  const horizon = Number(flag('horizon'));
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new Error(`--horizon: expected a positive integer, got ${flag('horizon')}`);
  const name = flag('model', 'auto');
  const factory = getModel(name);
  if (!factory) throw new Error(`--model: unknown model ${name}`);
  const { t, v } = readSeriesCsv(input);
  const t0 = performance.now();
  // served as `cloudpulse forecast` serves it: bands calibrated on the input's own tail
  const fit = await fitWithFallback(name, { values: v, step: t[1] - t[0], start: t[0] }, { fit: calibrateOnTail });
  if (fit.fellBackFrom) process.stderr.write(`fell back to ${fit.served}: ${fit.reason}\n`);
  const { point, intervals } = fit.model.forecast(horizon, [0.8, 0.95]);
  const seconds = (performance.now() - t0) / 1000;
  const [i80, i95] = intervals;
  const lines = ['step,yhat,lo80,hi80,lo95,hi95'];
  for (let h = 0; h < horizon; h++) {
    lines.push([h + 1, point[h], i80.lower[h], i80.upper[h], i95.lower[h], i95.upper[h]].join(','));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stderr.write(`fit_seconds=${seconds.toFixed(6)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
