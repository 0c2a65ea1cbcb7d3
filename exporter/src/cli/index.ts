/** Every CLI command by name. */
import type { Command } from './types.js';
import { runCommand } from './run.js';
import { forecastCommand } from './forecast.js';
import { detectCommand } from './detect.js';
import { versionCommand } from './version.js';
import { simulateCommand } from './simulate.js';
import { backtestCommand } from './backtest.js';
import { evaluate } from './evaluate.js';
import { planCommand } from './plan.js';
import { scaleSimCommand } from './scale-sim.js';

export const COMMANDS: Record<string, Command> = {
  run: runCommand,
  forecast: forecastCommand,
  detect: detectCommand,
  version: versionCommand,
  simulate: simulateCommand,
  backtest: backtestCommand,
  evaluate,
  plan: planCommand,
  'scale-sim': scaleSimCommand,
};
