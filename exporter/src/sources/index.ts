/** Every source by name: a plain map, nothing registers itself on import. */
import type { Config } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import { PrometheusSource, type SourceInstruments } from './prometheus.js';
import { SimulationSource } from './simulation.js';
import type { Source } from './types.js';

export interface SourceDeps {
  logger: Logger;
  /** unix seconds the exporter started at (simulation injections count from it) */
  startTime: number;
  instruments?: SourceInstruments;
}

/** Builds the named source from the config, or undefined when the config has no section for it. */
export const SOURCES: Record<'prometheus' | 'simulation', (config: Config, deps: SourceDeps) => Source | undefined> = {
  prometheus: (config, { logger, instruments }) =>
    config.source.prometheus
      ? new PrometheusSource({ config: config.source.prometheus, logger, instruments })
      : undefined,
  simulation: (config, { startTime }) => new SimulationSource({ config: config.source.simulation, startTime }),
};

/**
 * The exporter's sources: the configured Prometheus (if any) and the simulation, which is the
 * data when no Prometheus is configured and the per-series `fallback: simulation` otherwise.
 */
export function createSources(
  config: Config,
  logger: Logger,
  startTime: number,
  instruments?: SourceInstruments,
): { source?: Source; simulation: Source } {
  const deps = { logger, startTime, instruments };
  return { source: SOURCES.prometheus(config, deps), simulation: SOURCES.simulation(config, deps)! };
}
