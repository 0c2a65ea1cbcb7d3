import React from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { createTheme, dateTime, LoadingState, ThemeContext, type DataFrame, type PanelProps } from '@grafana/data';
import { ForecastPanel } from './ForecastPanel';
import { promFrame } from '../utils/testFrames';
import { DEFAULT_OPTIONS, type ForecastPanelOptions } from '../types';

const labels = (i: number) => ({ series: 'cpu', instance: `sim-${i}:9100`, job: 'node' });
const times = Array.from({ length: 20 }, (_, k) => 1_000_000 + k * 60);

function framesFor(i: number, parts = { point: true, bands: true, anomalies: true }): DataFrame[] {
  const frames = [
    promFrame(
      'cloudpulse_actual',
      labels(i),
      times.map((t, k) => [t, 10 + k]),
    ),
  ];
  for (const [horizon, h] of [
    ['5m', 300],
    ['1h', 3600],
  ] as const) {
    const at = (extra: number) => times.map((t, k): [number, number] => [t, 10 + k + h / 300 + extra]);
    if (parts.point) frames.push(promFrame('cloudpulse_forecast', { ...labels(i), horizon }, at(0)));
    if (parts.bands) {
      frames.push(promFrame('cloudpulse_forecast_lower', { ...labels(i), horizon, level: '0.95' }, at(-2)));
      frames.push(promFrame('cloudpulse_forecast_upper', { ...labels(i), horizon, level: '0.95' }, at(2)));
    }
  }
  if (parts.anomalies) {
    frames.push(
      promFrame(
        'cloudpulse_anomaly_severity',
        labels(i),
        times.map((t, k) => [t, k === 7 ? 3 : k === 12 ? 1 : 0]),
      ),
    );
    frames.push(
      promFrame(
        'cloudpulse_anomaly_score',
        labels(i),
        times.map((t, k) => [t, k === 7 ? 0.99 : 0.1]),
      ),
    );
  }
  return frames;
}

function renderPanel(
  series: DataFrame[],
  options: Partial<ForecastPanelOptions> = {},
  mode: 'dark' | 'light' = 'dark',
) {
  const props = {
    id: 1,
    data: {
      series,
      state: LoadingState.Done,
      timeRange: { from: dateTime(0), to: dateTime(0), raw: { from: 'now-1h', to: 'now' } },
    },
    options: { ...DEFAULT_OPTIONS, ...options },
    width: 640,
    height: 320,
    timeZone: 'utc',
    fieldConfig: { defaults: {}, overrides: [] },
    title: 'test',
    transparent: false,
    renderCounter: 0,
    timeRange: { from: dateTime(0), to: dateTime(0), raw: { from: 'now-1h', to: 'now' } },
    eventBus: undefined,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  } as unknown as PanelProps<ForecastPanelOptions>;
  const theme = createTheme({ colors: { mode } });
  return {
    theme,
    ...render(
      <ThemeContext.Provider value={theme}>
        <ForecastPanel {...props} />
      </ThemeContext.Provider>,
    ),
  };
}

/** x of the first point of an SVG path's data. */
const firstX = (d: string) => Number(/^M(-?[\d.]+),/.exec(d)![1]);
const allX = (d: string) => [...d.matchAll(/[ML](-?[\d.]+),/g)].map((m) => Number(m[1]));

describe('ForecastPanel', () => {
  it("shows Grafana's no-data view when nothing matches", () => {
    renderPanel([]);
    expect(screen.getByText(/Unable to render data/)).toBeTruthy();
    expect(screen.queryByTestId('cloudpulse-chart')).toBeNull();
  });

  it('draws actual, band over history and the fan from the last sample to the longest horizon', () => {
    renderPanel(framesFor(0));
    const svg = screen.getByTestId('cloudpulse-svg');
    const [xMin, xMax] = [Number(svg.dataset.xMin), Number(svg.dataset.xMax)];
    const [left, right] = [Number(svg.dataset.plotLeft), Number(svg.dataset.plotRight)];
    const xOf = (t: number) => left + ((t - xMin) / (xMax - xMin)) * (right - left);
    const last = times[times.length - 1];
    expect(xMax).toBe(last + 3600);
    const fanPoint = screen.getByTestId('cloudpulse-fan-point').getAttribute('d')!;
    expect(firstX(fanPoint)).toBeCloseTo(xOf(last), 0);
    expect(Math.max(...allX(fanPoint))).toBeCloseTo(right, 0);
    const band = allX(screen.getByTestId('cloudpulse-band').getAttribute('d')!);
    expect(Math.min(...band)).toBeCloseTo(xOf(times[0] + 300), 0);
    expect(Math.max(...band)).toBeCloseTo(xOf(last + 300), 0);
    expect(screen.getByTestId('cloudpulse-actual').getAttribute('d')).toMatch(/^M/);
    expect(screen.getByTestId('cloudpulse-legend').textContent).toContain('Band 95% at 5m');
  });

  it('marks anomalies at their times, coloured by severity', () => {
    renderPanel(framesFor(0));
    const markers = screen.getAllByTestId('cloudpulse-marker');
    expect(markers.map((m) => [Number(m.dataset.time), m.dataset.severity])).toEqual([
      [times[7], 'high'],
      [times[12], 'low'],
    ]);
    expect(markers[0].getAttribute('fill')).not.toBe(markers[1].getAttribute('fill'));
  });

  it('uses the chosen history horizon and hides parts that are switched off', () => {
    renderPanel(framesFor(0), { historyHorizon: '1h', showFan: false, showAnomalies: false, thresholds: '30' });
    expect(screen.getByTestId('cloudpulse-legend').textContent).toContain('at 1h');
    expect(screen.queryByTestId('cloudpulse-fan')).toBeNull();
    expect(screen.queryAllByTestId('cloudpulse-marker')).toHaveLength(0);
    expect(screen.getAllByTestId('cloudpulse-threshold')).toHaveLength(1);
  });

  it('draws what partial data allows: bands without point forecasts', () => {
    renderPanel(framesFor(0, { point: false, bands: true, anomalies: false }));
    expect(screen.getByTestId('cloudpulse-band')).toBeTruthy();
    expect(screen.getByTestId('cloudpulse-fan')).toBeTruthy();
    expect(screen.queryAllByTestId('cloudpulse-marker')).toHaveLength(0);
  });

  it('offers a series picker for many series, and small multiples on request', () => {
    const frames = [0, 1, 2].flatMap((i) => framesFor(i));
    renderPanel(frames);
    expect(screen.getByTestId('cloudpulse-picker')).toBeTruthy();
    expect(screen.getAllByTestId('cloudpulse-chart')).toHaveLength(1);
    screen.getAllByTestId('cloudpulse-chart').forEach((c) => c.remove());
    renderPanel(frames, { layout: 'multiples' });
    expect(screen.getAllByTestId('cloudpulse-chart').map((c) => c.dataset.series)).toEqual([
      'cpu sim-0:9100',
      'cpu sim-1:9100',
      'cpu sim-2:9100',
    ]);
  });

  it('shows value, forecast, band and score in the tooltip', () => {
    const { container } = renderPanel(framesFor(0));
    const overlay = container.querySelector('svg rect')!;
    overlay.getBoundingClientRect = () => ({ left: 0, width: 1000, top: 0, height: 100 }) as DOMRect;
    const svg = screen.getByTestId('cloudpulse-svg');
    const [xMin, xMax] = [Number(svg.dataset.xMin), Number(svg.dataset.xMax)];
    fireEvent.mouseMove(overlay, { clientX: ((times[7] - xMin) / (xMax - xMin)) * 1000 });
    const text = screen.getByTestId('cloudpulse-tooltip').textContent!;
    expect(text).toContain('Value 17');
    expect(text).toContain('Score 0.99');
    expect(text).toContain('Anomaly high');
    expect(text).toMatch(/Forecast 1[0-9]/);
  });

  it('takes its colours from the theme', () => {
    for (const mode of ['dark', 'light'] as const) {
      const { theme, unmount } = renderPanel(framesFor(0), {}, mode);
      expect(screen.getByTestId('cloudpulse-actual').getAttribute('stroke')).toBe(
        theme.visualization.getColorByName('green'),
      );
      unmount();
    }
  });
});
