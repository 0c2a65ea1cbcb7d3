/**
 * Every CLI command by name, each module loaded only when its command runs: `run` pulls in the
 * HTTP server, gRPC and the pipeline (about 0.4 s of module loading on our 2-core machine), which
 * the offline commands never need.
 */
import type { Command } from './types.js';

export const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.js')).runCommand,
  forecast: async () => (await import('./forecast.js')).forecastCommand,
  detect: async () => (await import('./detect.js')).detectCommand,
  version: async () => (await import('./version.js')).versionCommand,
  simulate: async () => (await import('./simulate.js')).simulateCommand,
  backtest: async () => (await import('./backtest.js')).backtestCommand,
  evaluate: async () => (await import('./evaluate.js')).evaluate,
  plan: async () => (await import('./plan.js')).planCommand,
  'scale-sim': async () => (await import('./scale-sim.js')).scaleSimCommand,
};
