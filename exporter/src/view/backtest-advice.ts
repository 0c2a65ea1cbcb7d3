/**
 * The "use this model" hint under a backtest: which model forecast the chosen range best, by how
 * much, and the config lines that would make it serve the series.
 */
import type { BacktestResponse } from './series-api.js';

export interface ModelAdvice {
  /** the model of lowest MASE averaged over the horizons, undefined when none was scored */
  best?: string;
  /** its mean MASE, and the configured model's */
  bestMase?: number;
  configuredMase?: number;
  /** a plain sentence */
  text: string;
  /** config lines to paste when the best is not what the entry asks for */
  config?: string;
}

/** below this relative gain a change is not worth suggesting on one range of one series */
const MIN_GAIN = 0.05;

function meanMase(result: BacktestResponse, model: string): number | undefined {
  const values = result.horizons
    .map((h) => h.models.find((m) => m.model === model)?.maseMean)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return values.length === result.horizons.length && values.length > 0
    ? values.reduce((a, b) => a + b, 0) / values.length
    : undefined;
}

/** The config lines that make `model` serve the entry `entry`. */
export function configLines(entry: string, model: string): string {
  return `series:\n  - name: ${entry}\n    model: ${model}`;
}

export function adviseModel(result: BacktestResponse, entry: string, configured: string): ModelAdvice {
  const ranked = result.models
    .map((model) => ({ model, mase: meanMase(result, model) }))
    .filter((r): r is { model: string; mase: number } => r.mase !== undefined)
    .sort((a, b) => a.mase - b.mase);
  if (ranked.length === 0) return { text: 'No model could be scored on this range.' };
  const best = ranked[0];
  const mine = ranked.find((r) => r.model === configured);
  const scope = `MASE averaged over ${result.horizons.length} horizon${result.horizons.length === 1 ? '' : 's'}`;
  const base = { best: best.model, bestMase: best.mase, configuredMase: mine?.mase };
  if (best.model === configured) {
    return {
      ...base,
      text: `The configured model, ${configured}, did best here (${scope} ${best.mase.toFixed(3)}): nothing to change.`,
    };
  }
  if (mine && mine.mase - best.mase < MIN_GAIN * mine.mase) {
    return {
      ...base,
      text:
        `${best.model} did best (${scope} ${best.mase.toFixed(3)} against ${mine.mase.toFixed(3)} for ${configured}), ` +
        `by less than ${MIN_GAIN * 100}%: too little to switch on one range of one series.`,
    };
  }
  const against = mine ? ` against ${mine.mase.toFixed(3)} for ${configured}` : '';
  return {
    ...base,
    text: `${best.model} did best here (${scope} ${best.mase.toFixed(3)}${against}). To serve it, set in the config:`,
    config: configLines(entry, best.model),
  };
}
