/** The panel's options, as set in the panel editor (see module.ts for labels and defaults). */
import { DEFAULT_REPLICA_LABELS } from './utils/dedupe';

export type Layout = 'picker' | 'multiples';

export interface ForecastPanelOptions {
  /** coverage level of the band and fan, e.g. "0.95" */
  level: string;
  /** horizon whose past forecasts make the history band ("15m"); empty picks the shortest */
  historyHorizon: string;
  showActual: boolean;
  showBand: boolean;
  showFan: boolean;
  showAnomalies: boolean;
  showLegend: boolean;
  actualColor: string;
  bandColor: string;
  fanColor: string;
  /** horizontal lines, comma-separated values, e.g. "0.9, 0.95" */
  thresholds: string;
  layout: Layout;
  /** labels that tell HA Prometheus replicas apart, comma-separated; copies of a series are dropped */
  replicaLabels: string;
}

export const DEFAULT_OPTIONS: ForecastPanelOptions = {
  level: '0.95',
  historyHorizon: '',
  showActual: true,
  showBand: true,
  showFan: true,
  showAnomalies: true,
  showLegend: true,
  actualColor: 'green',
  bandColor: 'blue',
  fanColor: 'purple',
  thresholds: '',
  layout: 'picker',
  replicaLabels: DEFAULT_REPLICA_LABELS.join(', '),
};
