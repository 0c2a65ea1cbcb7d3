/** One series: actual line, history band, future fan, anomaly markers and threshold lines, in SVG. */
import React, { useId, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2, type TimeZone } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import {
  horizonLabel,
  severityName,
  valueNear,
  type ChartModel,
  type Ribbon,
  type TimeSeries,
} from '../../../exporter/src/view/index.js';
import { linePath, ribbonPath } from '../utils/paths';
import { linearScale, niceTicks, padRange, timeTicks, type Scale } from '../utils/scale';
import type { ForecastPanelOptions } from '../types';
import { ChartLegend } from './ChartLegend';

export interface ForecastChartProps {
  model: ChartModel;
  score?: TimeSeries;
  options: ForecastPanelOptions;
  thresholds: number[];
  width: number;
  height: number;
  timeZone: TimeZone;
  formatValue: (value: number) => string;
  title?: string;
}

const MARGIN = { top: 8, right: 12, bottom: 22, left: 52 };
const LEGEND_HEIGHT = 24;

export function ForecastChart(props: ForecastChartProps) {
  const { model, options, thresholds, width, timeZone, formatValue, title } = props;
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const [hoverTime, setHoverTime] = useState<number | undefined>();
  // data beyond the time range's start (and lines to the nearest point beyond) stop at the plot's edge
  const clipId = `cloudpulse-clip-${useId().replace(/[^\w-]/g, '')}`;
  const color = (name: string) => theme.visualization.getColorByName(name);
  const svgHeight = Math.max(40, props.height - (options.showLegend ? LEGEND_HEIGHT : 0) - (title ? 20 : 0));
  const plot = { left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top, bottom: svgHeight - MARGIN.bottom };
  const plotRect = {
    x: plot.left,
    y: plot.top,
    width: Math.max(0, plot.right - plot.left),
    height: Math.max(0, plot.bottom - plot.top),
  };

  const scales = useMemo(() => {
    const shown = [...model.y];
    for (const value of thresholds) shown.push(value);
    const y = padRange([Math.min(...shown), Math.max(...shown)]);
    return {
      x: linearScale(model.x, [plot.left, plot.right]),
      y: linearScale(y, [plot.bottom, plot.top]),
      yTicks: niceTicks(y[0], y[1], Math.max(2, Math.floor((plot.bottom - plot.top) / 40))),
      xTicks: timeTicks(model.x[0], model.x[1], Math.max(2, Math.floor((plot.right - plot.left) / 90))),
    };
  }, [model, thresholds, plot.left, plot.right, plot.top, plot.bottom]);
  const { x, y } = scales;
  const span = model.x[1] - model.x[0];
  const timeFormat = span > 2 * 86400 ? 'MM-DD HH:mm' : 'HH:mm';
  const { band, fan, actual, markers, lastSample } = model;
  const actualColor = color(options.actualColor);
  const bandColor = color(options.bandColor);
  const fanColor = color(options.fanColor);

  const onMove = (event: React.MouseEvent<SVGRectElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const share = (event.clientX - box.left) / Math.max(1, box.width);
    setHoverTime(model.x[0] + share * span);
  };

  return (
    <div className={styles.wrapper} data-testid="cloudpulse-chart" data-series={title}>
      {title && <div className={styles.title}>{title}</div>}
      <svg
        width={width}
        height={svgHeight}
        data-testid="cloudpulse-svg"
        data-x-min={model.x[0]}
        data-x-max={model.x[1]}
        data-plot-left={plot.left}
        data-plot-right={plot.right}
        className={styles.svg}
      >
        <defs>
          <clipPath id={clipId}>
            <rect data-testid="cloudpulse-clip" {...plotRect} />
          </clipPath>
        </defs>
        <g className={styles.axis}>
          {scales.yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={plot.left} x2={plot.right} y1={y(v)} y2={y(v)} className={styles.grid} />
              <text x={plot.left - 4} y={y(v)} textAnchor="end" dominantBaseline="middle">
                {formatValue(v)}
              </text>
            </g>
          ))}
          {scales.xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={svgHeight - 6} textAnchor="middle">
              {dateTimeFormat(t * 1000, { format: timeFormat, timeZone })}
            </text>
          ))}
        </g>
        <g clipPath={`url(#${clipId})`} data-testid="cloudpulse-data">
          {options.showBand && band.t.length > 0 && (
            <RibbonGroup name="band" ribbon={band} x={x} y={y} color={bandColor} opacity={0.22} dash="4 3" width={1} />
          )}
          {options.showFan && fan.t.length > 0 && (
            <RibbonGroup name="fan" ribbon={fan} x={x} y={y} color={fanColor} opacity={0.28} dash="6 3" width={1.5} />
          )}
          {Number.isFinite(lastSample.t) && fan.t.length > 0 && (
            <line
              data-testid="cloudpulse-now"
              x1={x(lastSample.t)}
              x2={x(lastSample.t)}
              y1={plot.top}
              y2={plot.bottom}
              className={styles.now}
            />
          )}
          {options.showActual && (
            <path
              data-testid="cloudpulse-actual"
              d={linePath(actual.t, actual.v, x, y)}
              stroke={actualColor}
              fill="none"
              strokeWidth={1.5}
            />
          )}
        </g>
        {thresholds.map((value) => (
          <line
            key={`th${value}`}
            data-testid="cloudpulse-threshold"
            x1={plot.left}
            x2={plot.right}
            y1={y(value)}
            y2={y(value)}
            stroke={theme.colors.error.main}
            strokeDasharray="2 4"
          />
        ))}
        {options.showAnomalies &&
          markers.map((m) => (
            <circle
              key={`m${m.t}`}
              data-testid="cloudpulse-marker"
              data-time={m.t}
              data-severity={severityName(m.severity)}
              cx={x(m.t)}
              cy={Number.isFinite(m.v) ? y(m.v) : plot.bottom}
              r={m.severity >= 3 ? 4 : 3}
              fill={color(SEVERITY_COLOR_NAMES[m.severity] ?? 'red')}
              stroke={theme.colors.background.primary}
              strokeWidth={1}
            />
          ))}
        {hoverTime !== undefined && (
          <line x1={x(hoverTime)} x2={x(hoverTime)} y1={plot.top} y2={plot.bottom} className={styles.cursor} />
        )}
        <rect
          data-testid="cloudpulse-overlay"
          {...plotRect}
          fill="transparent"
          onMouseMove={onMove}
          onMouseLeave={() => setHoverTime(undefined)}
        />
      </svg>
      {hoverTime !== undefined && (
        <Tooltip
          model={model}
          score={props.score}
          time={hoverTime}
          left={x(hoverTime)}
          formatValue={formatValue}
          timeZone={timeZone}
        />
      )}
      {options.showLegend && (
        <ChartLegend
          items={[
            options.showActual && { label: 'Actual', color: actualColor, value: formatValue(lastSample.v) },
            options.showBand &&
              model.horizon !== undefined &&
              band.t.length > 0 && {
                label: `Band ${percent(model.level)} at ${horizonLabel(model.horizon)}`,
                color: bandColor,
              },
            options.showFan &&
              fan.t.length > 0 && {
                label: `Forecast to +${horizonLabel(fan.t[fan.t.length - 1] - fan.t[0])}`,
                color: fanColor,
                value: formatValue(fan.point[fan.point.length - 1]),
              },
            options.showAnomalies &&
              markers.length > 0 && {
                label: `Anomalies: ${markers.length}`,
                color: color(SEVERITY_COLOR_NAMES[Math.max(...markers.map((m) => m.severity))] ?? 'red'),
              },
          ]}
        />
      )}
    </div>
  );
}

interface RibbonGroupProps {
  name: 'band' | 'fan';
  ribbon: Ribbon;
  x: Scale;
  y: Scale;
  color: string;
  opacity: number;
  dash: string;
  width: number;
}

/** A band (filled between lower and upper) with its point forecast dashed along it. */
function RibbonGroup({ name, ribbon, x, y, color, opacity, dash, width }: RibbonGroupProps) {
  return (
    <g data-testid={`cloudpulse-${name}-group`}>
      <path
        data-testid={`cloudpulse-${name}`}
        d={ribbonPath(ribbon.t, ribbon.lower, ribbon.upper, x, y)}
        fill={color}
        fillOpacity={opacity}
      />
      <path
        data-testid={`cloudpulse-${name}-point`}
        d={linePath(ribbon.t, ribbon.point, x, y)}
        stroke={color}
        strokeDasharray={dash}
        fill="none"
        strokeWidth={width}
      />
    </g>
  );
}

/** Marker colours by severity, as Grafana colour names (resolved per theme). */
export const SEVERITY_COLOR_NAMES: Record<number, string> = { 1: 'yellow', 2: 'orange', 3: 'red', 4: 'purple' };

function percent(level: string | undefined): string {
  return level === undefined ? '' : `${Math.round(Number(level) * 1000) / 10}%`;
}

interface TooltipProps {
  model: ChartModel;
  score?: TimeSeries;
  time: number;
  left: number;
  formatValue: (value: number) => string;
  timeZone: TimeZone;
}

/** Value, forecast, band and score at the sample nearest the cursor. */
function Tooltip({ model, score, time, left, formatValue, timeZone }: TooltipProps) {
  const styles = useStyles2(getStyles);
  const inFuture = model.fan.t.length > 0 && time > model.fan.t[0];
  const ribbon = inFuture ? model.fan : model.band;
  const times = [...model.actual.t, ...ribbon.t].sort((a, b) => a - b);
  const at = times.length ? times.reduce((best, t) => (Math.abs(t - time) < Math.abs(best - time) ? t : best)) : time;
  const exact = (series: TimeSeries) => valueNear(series, at, 0);
  const rows: Array<[string, string]> = [];
  const value = exact(model.actual);
  if (Number.isFinite(value)) rows.push(['Value', formatValue(value)]);
  const i = ribbon.t.indexOf(at);
  if (i >= 0) {
    if (Number.isFinite(ribbon.point[i])) rows.push(['Forecast', formatValue(ribbon.point[i])]);
    if (Number.isFinite(ribbon.lower[i]))
      rows.push([`Band ${percent(model.level)}`, `${formatValue(ribbon.lower[i])} – ${formatValue(ribbon.upper[i])}`]);
  }
  const s = score ? exact(score) : NaN;
  if (Number.isFinite(s)) rows.push(['Score', s.toFixed(2)]);
  const marker = model.markers.find((m) => m.t === at);
  if (marker) rows.push(['Anomaly', severityName(marker.severity)]);
  return (
    <div className={styles.tooltip} style={{ left: left + 12 }} data-testid="cloudpulse-tooltip">
      <div className={styles.tooltipTime}>{dateTimeFormat(at * 1000, { timeZone })}</div>
      {rows.map(([label, text]) => (
        <div key={label}>
          <span className={styles.tooltipLabel}>{label}</span> {text}
        </div>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ position: 'relative' }),
  // inline SVG leaves a line's descender gap below it, pushing the legend past the panel's height
  svg: css({ display: 'block' }),
  title: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    height: 20,
    overflow: 'hidden',
  }),
  axis: css({ fontSize: 10, fill: theme.colors.text.secondary }),
  grid: css({ stroke: theme.colors.border.weak }),
  now: css({ stroke: theme.colors.text.disabled, strokeDasharray: '1 3' }),
  cursor: css({ stroke: theme.colors.text.secondary, pointerEvents: 'none' }),
  tooltip: css({
    position: 'absolute',
    top: 8,
    pointerEvents: 'none',
    background: theme.colors.background.elevated ?? theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z2,
    padding: theme.spacing(0.5, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    whiteSpace: 'nowrap',
    zIndex: 1,
  }),
  tooltipTime: css({ color: theme.colors.text.secondary }),
  tooltipLabel: css({ color: theme.colors.text.secondary }),
});
