import { describe, expect, it } from 'vitest';
import { FieldType, toDataFrame } from '@grafana/data';
import { framesToSeries } from './frames';
import { matchSeries, retime, sourceLabels } from './match';
import { promFrame } from './testFrames';

const inst = (i: number) => ({ instance: `sim-${i}:9100`, job: 'node' });
const cpu = (i: number) => ({ series: 'cpu', ...inst(i) });

describe('framesToSeries', () => {
  it('reads the labelled "Value" shape and the dataplane shape, in seconds', () => {
    const dataplane = toDataFrame({
      refId: 'B',
      fields: [
        { name: 'Time', type: FieldType.time, values: [60_000] },
        { name: 'cloudpulse_actual', type: FieldType.number, values: [0.5], labels: { series: 'cpu' } },
      ],
    });
    const [a, b] = framesToSeries([promFrame('up', { job: 'x' }, [[30, 1]]), dataplane]);
    expect(a).toEqual({ metric: 'up', named: true, labels: { job: 'x' }, refId: 'A', t: [30], v: [1] });
    expect(b).toMatchObject({
      metric: 'cloudpulse_actual',
      named: true,
      labels: { series: 'cpu' },
      refId: 'B',
      t: [60],
      v: [0.5],
    });
  });

  it('marks an expression result without a metric name as nameless', () => {
    const expression = toDataFrame({
      refId: 'F',
      fields: [
        { name: 'Time', type: FieldType.time, values: [60_000] },
        { name: 'Value', type: FieldType.number, values: [0.5], labels: { instance: 'a' } },
      ],
    });
    expect(framesToSeries([expression])[0]).toMatchObject({ metric: '', named: false, labels: { instance: 'a' } });
  });
});

describe('matchSeries', () => {
  it('groups forecasts, bands and anomalies by series and source labels', () => {
    const frames = [0, 1].flatMap((i) => [
      promFrame('cloudpulse_actual', cpu(i), [
        [0, i],
        [60, i + 1],
      ]),
      promFrame('cloudpulse_forecast', { ...cpu(i), horizon: '5m' }, [
        [0, 10 + i],
        [60, 11 + i],
      ]),
      promFrame('cloudpulse_forecast_lower', { ...cpu(i), horizon: '5m', level: '0.95' }, [
        [0, 9],
        [60, 10],
      ]),
      promFrame('cloudpulse_forecast_upper', { ...cpu(i), horizon: '5m', level: '0.95' }, [
        [0, 12],
        [60, 13],
      ]),
      promFrame('cloudpulse_forecast', { ...cpu(i), horizon: '1h' }, [[60, 20]]),
      promFrame('cloudpulse_anomaly_severity', cpu(i), [
        [0, 0],
        [60, 2],
      ]),
      promFrame('cloudpulse_model_info', { ...cpu(i), model: 'ets', description: 'ETS(A,N,N)' }, [[60, 1]]),
    ]);
    const { matched, unmatched } = matchSeries(framesToSeries(frames));
    expect(unmatched).toEqual([]);
    expect(matched.map((m) => m.key)).toEqual([
      'cpu{instance="sim-0:9100",job="node"}',
      'cpu{instance="sim-1:9100",job="node"}',
    ]);
    const second = matched[1];
    expect(second.model).toBe('ets');
    expect(second.actual).toEqual({ t: [0, 60], v: [1, 2] });
    expect(second.history.map((h) => h.horizon)).toEqual([300, 3600]);
    expect(second.history[0].point).toEqual({ t: [0, 60], v: [11, 12] });
    expect(second.history[0].bands['0.95'].upper).toEqual({ t: [0, 60], v: [12, 13] });
    expect(second.latest).toEqual([
      { horizon: 300, point: 12, bands: { '0.95': [10, 13] } },
      { horizon: 3600, point: 20, bands: {} },
    ]);
    expect(second.anomalies.severity).toEqual({ t: [0, 60], v: [0, 2] });
  });

  it('joins a source series to the group with its labels, preferring it over cloudpulse_actual', () => {
    const { matched } = matchSeries(
      framesToSeries([
        promFrame('node_load1', inst(0), [[5, 42]]),
        promFrame('cloudpulse_actual', cpu(0), [[0, 1]]),
        promFrame('cloudpulse_forecast', { ...cpu(0), horizon: '5m' }, [[0, 1]]),
      ]),
    );
    expect(matched[0].actual).toEqual({ t: [5], v: [42] });
  });

  it('resolves a source shared by two entries by metric name or refId, and reports what it cannot place', () => {
    const frames = [
      promFrame('cloudpulse_forecast', { series: 'cpu', ...inst(0), horizon: '5m' }, [[0, 1]]),
      promFrame('cloudpulse_forecast', { series: 'mem', ...inst(0), horizon: '5m' }, [[0, 2]]),
      promFrame('whatever', inst(0), [[0, 7]], 'mem'),
      promFrame('other', inst(0), [[0, 8]], 'X'),
      promFrame('lonely', inst(9), [[0, 9]]),
    ];
    const { matched, unmatched } = matchSeries(framesToSeries(frames));
    expect(matched.find((m) => m.name === 'mem')!.actual.v).toEqual([7]);
    expect(matched.find((m) => m.name === 'cpu')!.actual.v).toEqual([]);
    expect(unmatched.map((s) => s.metric)).toEqual(['other', 'lonely']);
  });

  it('renames exported_ labels back so they match the source', () => {
    expect(sourceLabels({ series: 's', horizon: '5m', exported_model: 'x', foo: 'y', instance: 'i' })).toEqual({
      model: 'x',
      foo: 'y',
      instance: 'i',
    });
    // Prometheus scraping the exporter without honor_labels
    expect(
      sourceLabels({
        series: 's',
        instance: '10.0.0.5:9847',
        job: 'cloudpulse',
        exported_instance: 'db1',
        exported_job: 'node',
      }),
    ).toEqual({ instance: 'db1', job: 'node' });
  });

  it('takes the model from the newest model_info series', () => {
    const { matched } = matchSeries(
      framesToSeries([
        promFrame('cloudpulse_model_info', { ...cpu(0), model: 'ets' }, [
          [0, 1],
          [60, 1],
        ]),
        promFrame('cloudpulse_model_info', { ...cpu(0), model: 'mstl' }, [[120, 1]]),
        promFrame('cloudpulse_model_info', { ...cpu(0), model: 'sarima' }, [[10, 1]]),
      ]),
    );
    expect(matched[0].model).toBe('mstl');
  });

  it('re-times scraped values to the sample they were computed from', () => {
    const sampleTimes = { t: [10, 20, 30, 40], v: [0, 0, 25, 25] };
    expect(retime({ t: [5, 10, 20, 30, 40], v: [9, 1, 2, 3, 4] }, sampleTimes)).toEqual({ t: [0, 25], v: [2, 4] });
    expect(retime({ t: [1], v: [1] }, undefined)).toEqual({ t: [1], v: [1] });
  });

  it('uses the sample-time series for the group and its last value as the fan start', () => {
    const { matched } = matchSeries(
      framesToSeries([
        promFrame('cloudpulse_last_sample_timestamp_seconds', cpu(0), [
          [100, 60],
          [115, 90],
        ]),
        promFrame('cloudpulse_forecast', { ...cpu(0), horizon: '5m' }, [
          [100, 1],
          [115, 2],
        ]),
      ]),
    );
    expect(matched[0].history[0].point).toEqual({ t: [60, 90], v: [1, 2] });
    expect(matched[0].lastSampleTime).toBe(90);
  });
});
