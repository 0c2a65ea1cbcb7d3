/**
 * The panel: reads the query's frames, drops copies from HA replicas, matches them into series, and
 * draws one chart (picker) or all (small multiples) on the dashboard's time range.
 */
import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { formattedValueToString, getValueFormat, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { Select, useStyles2 } from '@grafana/ui';
import { buildChartModel, horizonSeconds } from '../../../exporter/src/view/index.js';
import { dedupeReplicas, parseReplicaLabels } from '../utils/dedupe';
import { framesToSeries } from '../utils/frames';
import { matchSeries, type MatchedSeries } from '../utils/match';
import { parseThresholds } from '../utils/thresholds';
import { fitToRange, rangeSeconds } from '../utils/timeRange';
import type { ForecastPanelOptions } from '../types';
import { ForecastChart } from './ForecastChart';

const PICKER_HEIGHT = 32;
const MIN_MULTIPLE_HEIGHT = 140;
const MULTIPLES_GAP = 8;

export function ForecastPanel(props: PanelProps<ForecastPanelOptions>) {
  const { data, options, width, height, timeZone, timeRange, fieldConfig, id } = props;
  const styles = useStyles2(getStyles);
  const { matched } = useMemo(
    () => matchSeries(dedupeReplicas(framesToSeries(data.series), parseReplicaLabels(options.replicaLabels)).series),
    [data.series, options.replicaLabels],
  );
  const range = useMemo(() => rangeSeconds(timeRange), [timeRange]);
  const [picked, setPicked] = useState<string | undefined>();
  const thresholds = useMemo(() => parseThresholds(options.thresholds), [options.thresholds]);
  const unit = fieldConfig?.defaults?.unit;
  const decimals = fieldConfig?.defaults?.decimals;
  const formatValue = useMemo(() => {
    const format = getValueFormat(unit ?? 'none');
    return (value: number) =>
      Number.isFinite(value) ? formattedValueToString(format(value, decimals ?? undefined)) : '–';
  }, [unit, decimals]);

  const drawable = matched.filter(hasAnything);
  if (drawable.length === 0) {
    return <PanelDataErrorView panelId={id} fieldConfig={fieldConfig} data={data} needsTimeField needsNumberField />;
  }

  const chartFor = (series: MatchedSeries, chartHeight: number, title?: string) => (
    <ForecastChart
      key={series.key}
      model={fitToRange(
        buildChartModel(series, { level: options.level, horizon: horizonSeconds(options.historyHorizon ?? '') }),
        range,
        { actual: options.showActual, band: options.showBand, fan: options.showFan, anomalies: options.showAnomalies },
      )}
      score={series.anomalies.score}
      options={options}
      thresholds={thresholds}
      width={width}
      height={chartHeight}
      timeZone={timeZone}
      formatValue={formatValue}
      title={title}
    />
  );

  if (options.layout === 'multiples' && drawable.length > 1) {
    const each = Math.max(
      MIN_MULTIPLE_HEIGHT,
      Math.floor((height - MULTIPLES_GAP * (drawable.length - 1)) / drawable.length),
    );
    return (
      <div className={styles.multiples} style={{ width, height }} data-testid="cloudpulse-multiples">
        {drawable.map((series) => chartFor(series, each, describe(series)))}
      </div>
    );
  }

  const current = drawable.find((s) => s.key === picked) ?? drawable[0];
  if (drawable.length === 1) return chartFor(current, height);
  return (
    <div style={{ width, height }}>
      <div className={styles.picker} data-testid="cloudpulse-picker">
        <Select
          aria-label="Series"
          options={drawable.map((s) => ({ value: s.key, label: describe(s) }))}
          value={current.key}
          onChange={(choice) => setPicked(choice.value)}
          width="auto"
        />
      </div>
      {chartFor(current, height - PICKER_HEIGHT)}
    </div>
  );
}

function hasAnything(series: MatchedSeries): boolean {
  return series.actual.t.length > 0 || series.history.length > 0;
}

/** "node_cpu_utilisation sim-0:9100 (ets)": the entry, the labels that tell instances apart, the model. */
export function describe(series: MatchedSeries): string {
  const labels = Object.entries(series.labels)
    .filter(([name]) => name !== 'job')
    .map(([, value]) => value);
  return [series.name, ...labels].join(' ') + (series.model ? ` (${series.model})` : '');
}

const getStyles = (_theme: GrafanaTheme2) => ({
  multiples: css({ overflowY: 'auto', display: 'flex', flexDirection: 'column', gap: MULTIPLES_GAP }),
  picker: css({ height: PICKER_HEIGHT, display: 'flex', alignItems: 'center' }),
});
