/** Band, fan and marker construction shared by the Grafana panel and the landing page. No I/O, no dependencies. */
export * from './types.js';
export { buildBands, breakAtGaps, historyHorizons, historyLevels } from './bands.js';
export { alignOnTimes, valueNear, medianStep } from './series.js';
export { buildFan, fanFromForecast, type SteppedForecast } from './fan.js';
export { anomalyMarkers, severityName, SEVERITY_NAMES, SEVERITY_COLORS } from './anomalies.js';
export { levelKey, horizonSeconds, horizonLabel, pickHorizon, pickLevel } from './levels.js';
export { buildChartModel, extent, type ChartInput, type ChartChoices, type ChartModel } from './chart-model.js';
export { chartInputFromApi, type SeriesSummary, type SeriesDetail } from './api.js';
