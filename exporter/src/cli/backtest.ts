/**
 * `cloudpulse backtest`: rolling-origin evaluation of models on CSV series with the shared
 * engine (evaluation/rolling-origin.ts, the forecast_bench.py protocol). Prints per model MASE
 * (mean, median, geometric mean), sMAPE, band coverage, MSIS (M4's interval score, geometric mean)
 * and fit time; optionally writes the
 * numbers as JSON and a self-contained HTML report with every origin's forecast plotted.
 */
import { writeFileSync } from 'node:fs';
import { getModel, MODELS } from '../models/index.js';
import type { FittedModel, ForecastResult, ModelFactory } from '../models/types.js';
import { loadTf } from '../models/tf.js';
import { calibrateOnTail } from '../models/tail-calibration.js';
import {
  backtestSeries,
  naiveForecast,
  originsFor,
  summarise,
  type OriginScore,
} from '../evaluation/rolling-origin.js';
import {
  renderBacktestReport,
  summaryTable,
  textTable,
  type BacktestSeriesRun,
  type BacktestSummaryRow,
} from '../report/backtest.js';
import { parseFlags, parseLevels, requirePositiveInt } from './args.js';
import { csvReader, progress, readCsvInput, STRICT_ORDER_FLAG, STRICT_ORDER_USAGE } from './inputs.js';
import { UsageError, type Command } from './types.js';

const DEFAULT_MODELS = 'seasonal_naive,ets,auto';
const DEFAULT_ORIGINS = 5;
export const DEFAULT_MAX_HISTORY = 2016;

/**
 * The engine scores forecasts but does not return them; the report needs them, so the model is
 * wrapped to hand each forecast (or its failure, as undefined) to `record`, one call per fit.
 */
function recording(model: ModelFactory, record: (result: ForecastResult | undefined) => void): ModelFactory {
  const wrap = (fitted: FittedModel): FittedModel => ({
    name: fitted.name,
    get description() {
      return fitted.description;
    },
    forecast(horizon, levels) {
      try {
        const result = fitted.forecast(horizon, levels);
        record(result);
        return result;
      } catch (err) {
        record(undefined);
        throw err;
      }
    },
    update: (values) => fitted.update(values),
    toJSON: () => fitted.toJSON(),
  });
  return {
    name: model.name,
    summary: model.summary,
    restore: (state) => wrap(model.restore(state)),
    async fit(series, options) {
      try {
        return wrap(await model.fit(series, options));
      } catch (err) {
        record(undefined);
        throw err;
      }
    },
  };
}

/** A model fitted as `cloudpulse forecast` fits it: bands calibrated on each history's own last day. */
function servedAsForecast(model: ModelFactory): ModelFactory {
  return { ...model, fit: (series, options) => calibrateOnTail(model, series, options) };
}

function parseModels(text: string): ModelFactory[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => {
      const model = getModel(name);
      if (!model) throw new UsageError(`--model: unknown model "${name}" (known: ${Object.keys(MODELS).join(', ')})`);
      return model;
    });
}

/** A series as the backtest reads it: values on a regular grid (NaN for gaps) from `start`, every `step` seconds. */
export interface BacktestInput {
  name: string;
  start: number;
  step: number;
  values: Float64Array;
}

export interface BacktestSettings {
  /** steps ahead */
  horizon: number;
  origins: number;
  maxHistory: number;
  /** interval levels as fractions */
  levels: number[];
}

/**
 * What `cloudpulse backtest` computes, without its I/O: every model on every series, fitted as
 * `cloudpulse forecast` fits it, scored by the shared engine and summarised per model; plus each
 * scored origin's forecast for plotting. The CLI prints and writes it; the exporter's series page
 * serves it, so both show the same numbers from the same code. `onForecast` is called once per fit.
 */
export async function computeBacktest(
  series: BacktestInput[],
  models: ModelFactory[],
  settings: BacktestSettings,
  onForecast: () => void = () => {},
  now: () => number = () => performance.now(),
): Promise<{ summary: BacktestSummaryRow[]; scores: Map<string, OriginScore[][]>; runs: BacktestSeriesRun[] }> {
  const { horizon, origins, maxHistory, levels } = settings;
  const scores = new Map<string, OriginScore[][]>(models.map((m) => [m.name, []]));
  const runs: BacktestSeriesRun[] = [];
  for (const s of series) {
    const run: BacktestSeriesRun = { name: s.name, start: s.start, step: s.step, values: s.values, models: [] };
    for (const model of models) {
      const recorded: (ForecastResult | undefined)[] = [];
      const counted = recording(servedAsForecast(model), (result) => {
        recorded.push(result);
        onForecast();
      });
      const seriesScores = await backtestSeries(s.values, counted, {
        origins,
        horizons: [horizon],
        maxHistory,
        season: Math.round(86400 / s.step),
        levels,
        step: s.step,
        start: s.start,
        now,
      });
      scores.get(model.name)!.push(seriesScores);
      // one score per scored origin (single horizon), in the order the engine fitted them
      const forecasts = seriesScores.map((score, i) => {
        const result = recorded[i];
        const history = Array.from(s.values.slice(Math.max(0, score.origin - maxHistory), score.origin));
        const usable = !score.failed && result !== undefined;
        return {
          origin: score.origin,
          result: usable ? result : naiveForecast(history, horizon, levels),
          failed: !usable,
        };
      });
      run.models.push({ model: model.name, forecasts });
    }
    runs.push(run);
  }
  const summary = models.map((m) => ({
    model: m.name,
    summary: summarise(scores.get(m.name)!, [horizon], levels.length)[0],
  }));
  return { summary, scores, runs };
}

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'rolling-origin evaluation of forecasting models on CSV series (MASE, sMAPE, coverage, MSIS, fit time)',
  usage: `usage: cloudpulse backtest --input PATH --horizon N [--origins K] [--model a,b,c] [--levels 80,95]
                          [--max-history N] [--report FILE.html] [--json FILE]

  --input PATH        a CSV file with header timestamp,value, or a directory of them (searched recursively)
  --horizon N         steps ahead to score (each origin forecasts N steps)
  --origins K         origins per series, evenly spaced from 80% of the series to its end (default ${DEFAULT_ORIGINS})
  --model a,b,c       models to compare (default ${DEFAULT_MODELS}); known: ${Object.keys(MODELS).join(', ')}
  --levels L          interval levels in percent (default 80,95)
  --max-history N     most history points per fit (default ${DEFAULT_MAX_HISTORY}, one week at 5 minutes)
  --report FILE.html  write a self-contained HTML report with per-series plots of every origin
  --json FILE         write the summary and per-origin scores as JSON
${STRICT_ORDER_USAGE}

Models are fitted as \`cloudpulse forecast\` fits them (bands calibrated on each history's last day).
MASE is scaled by the in-sample seasonal-naive error (daily season, lag 1 when the history is shorter
than two days), as ../shared/tools/forecast_bench.py does. A model that fails at an origin is scored
as the naive forecast there and counted under "fails".`,

  async run(args, ctx) {
    const flags = parseFlags(args, [
      { name: 'input', type: 'string' },
      { name: 'horizon', type: 'number' },
      { name: 'origins', type: 'number' },
      { name: 'model', type: 'string' },
      { name: 'levels', type: 'string' },
      { name: 'max-history', type: 'number' },
      { name: 'report', type: 'string' },
      { name: 'json', type: 'string' },
      STRICT_ORDER_FLAG,
    ]);
    const input = flags.input as string | undefined;
    if (!input) throw new UsageError('--input is required');
    const horizon = requirePositiveInt(flags, 'horizon');
    const origins = flags.origins === undefined ? DEFAULT_ORIGINS : requirePositiveInt(flags, 'origins');
    const maxHistory =
      flags['max-history'] === undefined ? DEFAULT_MAX_HISTORY : requirePositiveInt(flags, 'max-history');
    const levels = parseLevels(flags.levels as string | undefined);
    const models = parseModels((flags.model as string | undefined) ?? DEFAULT_MODELS);
    if (models.length === 0) throw new UsageError('--model lists no model');

    const reader = csvReader(flags, ctx, 'backtest');
    const series = readCsvInput(input, reader).map(({ relative, grid }) => ({ name: relative, ...grid }));
    const total = models.length * series.reduce((n, s) => n + originsFor(s.values.length, horizon, origins).length, 0);
    if (total === 0) {
      throw new UsageError(`--horizon ${horizon}: every series is too short to leave room for an origin`);
    }
    if (models.some((m) => m.name === 'lstm')) {
      // choose and name the TensorFlow.js backend up front, once for the process
      await loadTf({ log: (message) => ctx.stderr.write(`backtest: ${message}\n`) });
    }
    const tick = progress(ctx, total, 'backtest');
    let done = 0;
    const { summary, scores, runs } = await computeBacktest(
      series,
      models,
      { horizon, origins, maxHistory, levels },
      () => tick(++done),
    );
    if (done < total) tick(total); // origins the engine skipped (constant history) still count as done

    const table = summaryTable(summary, levels);
    ctx.stdout.write(
      `backtest: ${series.length} series, horizon ${horizon} steps, up to ${origins} origins, max history ${maxHistory}\n`,
    );
    ctx.stdout.write(textTable(table.headers, table.rows));

    if (flags.json) {
      const perSeries = (name: string) => series.map((s, i) => ({ series: s.name, scores: scores.get(name)![i] }));
      const json = {
        input,
        horizon,
        origins,
        maxHistory,
        levels,
        models: summary.map((row) => ({ ...row, perSeries: perSeries(row.model) })),
      };
      writeFileSync(flags.json as string, JSON.stringify(json, null, 2) + '\n');
      ctx.stderr.write(`backtest: wrote ${flags.json}\n`);
    }
    if (flags.report) {
      const html = renderBacktestReport({
        title: 'CloudPulse backtest',
        generatedAt: new Date().toISOString(),
        input,
        horizon,
        origins,
        levels,
        summary,
        series: runs,
      });
      writeFileSync(flags.report as string, html);
      ctx.stderr.write(`backtest: wrote ${flags.report}\n`);
    }
    return 0;
  },
};
