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

/** The dashboard's time range, in seconds; by default the span the frames were queried over. */
const queried = { from: times[0], to: times[times.length - 1] };

function renderPanel(
  series: DataFrame[],
  options: Partial<ForecastPanelOptions> = {},
  mode: 'dark' | 'light' = 'dark',
  range = queried,
) {
  const timeRange = {
    from: dateTime(range.from * 1000),
    to: dateTime(range.to * 1000),
    raw: { from: 'now-1h', to: 'now' },
  };
  const props = {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange },
    options: { ...DEFAULT_OPTIONS, ...options },
    width: 640,
    height: 320,
    timeZone: 'utc',
    fieldConfig: { defaults: {}, overrides: [] },
    title: 'test',
    transparent: false,
    renderCounter: 0,
    timeRange,
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

/** The chart's time axis and a function from time to x. */
function axis() {
  const svg = screen.getByTestId('cloudpulse-svg');
  const [xMin, xMax] = [Number(svg.dataset.xMin), Number(svg.dataset.xMax)];
  const [left, right] = [Number(svg.dataset.plotLeft), Number(svg.dataset.plotRight)];
  return { xMin, xMax, left, right, xOf: (t: number) => left + ((t - xMin) / (xMax - xMin)) * (right - left) };
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
    renderPanel(framesFor(0));
    const overlay = screen.getByTestId('cloudpulse-overlay');
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

  it("runs the time axis from the dashboard range's start to the end of the fan", () => {
    const last = times[times.length - 1];
    renderPanel(framesFor(0), {}, 'dark', { from: times[0] - 1800, to: last + 30 });
    const { xMin, xMax, xOf } = axis();
    expect([xMin, xMax]).toEqual([times[0] - 1800, last + 3600]);
    expect(firstX(screen.getByTestId('cloudpulse-actual').getAttribute('d')!)).toBeCloseTo(xOf(times[0]), 0);
  });

  it('keeps the range end when it lies beyond the fan, and leaves hidden parts out of the axis', () => {
    const last = times[times.length - 1];
    const { unmount } = renderPanel(framesFor(0), {}, 'dark', { from: times[0], to: last + 7200 });
    expect(axis().xMax).toBe(last + 7200);
    unmount();
    renderPanel(framesFor(0), { showFan: false, showBand: false }, 'dark', { from: times[0], to: last });
    expect(axis().xMax).toBe(last);
  });

  it('drops what lies before the range start and clips lines at the plot edge', () => {
    renderPanel(framesFor(0), {}, 'dark', { from: times[10] - 30, to: times[times.length - 1] });
    const { xMin, left } = axis();
    expect(xMin).toBe(times[10] - 30);
    // the anomaly at times[7] is out of range; the one at times[12] stays
    expect(screen.getAllByTestId('cloudpulse-marker').map((m) => Number(m.dataset.time))).toEqual([times[12]]);
    // the line starts at the last sample before the range (off the plot), clipped to the plot
    const actual = allX(screen.getByTestId('cloudpulse-actual').getAttribute('d')!);
    expect(actual[0]).toBeLessThan(left);
    expect(actual[1]).toBeGreaterThan(left);
    const clip = screen.getByTestId('cloudpulse-clip');
    expect(Number(clip.getAttribute('x'))).toBe(left);
    expect(screen.getByTestId('cloudpulse-data').getAttribute('clip-path')).toBe(
      `url(#${clip.parentElement!.getAttribute('id')})`,
    );
  });

  it('draws copies from an HA Prometheus pair once, from one replica', () => {
    const withReplica = (frames: DataFrame[], replica: string, shift: number) =>
      frames.map((f) => {
        const value = f.fields[1];
        return {
          ...f,
          fields: [
            f.fields[0],
            { ...value, labels: { ...value.labels, replica }, values: value.values.map((v: number) => v + shift) },
          ],
        };
      });
    // replica b's copies differ (as two scrapes of the same target can); a is kept on a tie
    const { unmount } = renderPanel([...withReplica(framesFor(0), 'b', 0.5), ...withReplica(framesFor(0), 'a', 0)]);
    expect(screen.queryByTestId('cloudpulse-picker')).toBeNull();
    const drawn = () =>
      ['cloudpulse-actual', 'cloudpulse-band', 'cloudpulse-fan'].map((id) => screen.getByTestId(id).getAttribute('d'));
    const pair = drawn();
    unmount();
    renderPanel(framesFor(0));
    expect(pair).toEqual(drawn());
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
