import { PanelPlugin } from '@grafana/data';
import { ForecastPanel } from './components/ForecastPanel';
import { DEFAULT_OPTIONS as D, type ForecastPanelOptions } from './types';

export const plugin = new PanelPlugin<ForecastPanelOptions>(ForecastPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'level',
      name: 'Band level',
      description: 'Coverage of the band and fan; falls back to the widest level the data has',
      defaultValue: D.level,
      settings: {
        options: ['0.5', '0.8', '0.9', '0.95', '0.99'].map((v) => ({ value: v, label: `${Number(v) * 100}%` })),
      },
    })
    .addTextInput({
      path: 'historyHorizon',
      name: 'History band horizon',
      description: 'Whose past forecasts make the band over history, e.g. 15m; empty uses the shortest',
      defaultValue: D.historyHorizon,
    })
    .addBooleanSwitch({ path: 'showActual', name: 'Actual line', defaultValue: D.showActual, category: ['Show'] })
    .addBooleanSwitch({ path: 'showBand', name: 'History band', defaultValue: D.showBand, category: ['Show'] })
    .addBooleanSwitch({ path: 'showFan', name: 'Future fan', defaultValue: D.showFan, category: ['Show'] })
    .addBooleanSwitch({
      path: 'showAnomalies',
      name: 'Anomaly markers',
      defaultValue: D.showAnomalies,
      category: ['Show'],
    })
    .addBooleanSwitch({ path: 'showLegend', name: 'Legend', defaultValue: D.showLegend, category: ['Show'] })
    .addColorPicker({ path: 'actualColor', name: 'Actual', defaultValue: D.actualColor, category: ['Colours'] })
    .addColorPicker({ path: 'bandColor', name: 'History band', defaultValue: D.bandColor, category: ['Colours'] })
    .addColorPicker({ path: 'fanColor', name: 'Future fan', defaultValue: D.fanColor, category: ['Colours'] })
    .addTextInput({
      path: 'thresholds',
      name: 'Threshold lines',
      description: 'Comma-separated values drawn as dashed horizontal lines, e.g. 0.9',
      defaultValue: D.thresholds,
    })
    .addRadio({
      path: 'layout',
      name: 'Many series',
      defaultValue: D.layout,
      settings: {
        options: [
          { value: 'picker', label: 'Series picker' },
          { value: 'multiples', label: 'Small multiples' },
        ],
      },
    })
    .addTextInput({
      path: 'replicaLabels',
      name: 'Replica labels',
      description: 'Series that differ only in these labels are copies from HA Prometheus replicas; one is kept',
      defaultValue: D.replicaLabels,
    }),
);
