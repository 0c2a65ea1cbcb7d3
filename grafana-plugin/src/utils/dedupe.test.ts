import { describe, expect, it } from 'vitest';
import { dedupeReplicas, parseReplicaLabels } from './dedupe';
import type { LabeledSeries } from './frames';

const series = (
  metric: string,
  labels: Record<string, string>,
  t: number[],
  v: number[] = t.map(() => 1),
  refId = 'A',
): LabeledSeries => ({ metric, named: metric !== '', labels, refId, t, v });

const cpu = { series: 'cpu', instance: 'sim-0:9100' };

describe('dedupeReplicas', () => {
  it('keeps one copy of series that differ only in a replica label, without the label', () => {
    const { series: kept, dropped } = dedupeReplicas([
      series('cloudpulse_actual', { ...cpu, replica: 'b' }, [1, 2]),
      series('cloudpulse_actual', { ...cpu, replica: 'a' }, [1, 2]),
      series('cloudpulse_forecast', { ...cpu, horizon: '5m', replica: 'a' }, [1, 2]),
      series('cloudpulse_forecast', { ...cpu, horizon: '5m', replica: 'b' }, [1, 2]),
    ]);
    expect(dropped).toBe(2);
    expect(kept.map((s) => [s.metric, s.labels])).toEqual([
      ['cloudpulse_actual', cpu],
      ['cloudpulse_forecast', { ...cpu, horizon: '5m' }],
    ]);
  });

  it('takes every copy from the replica that reaches furthest, whatever the frame order', () => {
    // replica a stopped at t=2 (down); b goes on, so all of b's copies are kept, even where a has more points
    const frames = [
      series('cloudpulse_actual', { ...cpu, replica: 'a' }, [0, 1, 2], [1, 1, 1]),
      series('cloudpulse_actual', { ...cpu, replica: 'b' }, [2, 3], [2, 2]),
      series('cloudpulse_anomaly', { ...cpu, replica: 'a' }, [0, 1, 2], [1, 1, 1]),
      series('cloudpulse_anomaly', { ...cpu, replica: 'b' }, [3], [2]),
    ];
    for (const order of [frames, [...frames].reverse()]) {
      const result = dedupeReplicas(order);
      expect(result.replica).toBe('replica="b"');
      expect(result.series.every((s) => s.v.every((v) => v === 2))).toBe(true);
    }
  });

  it('prefers more samples on equal reach, then the smallest replica labels', () => {
    const gappy = dedupeReplicas([
      series('up', { replica: 'a' }, [1, 2, 3], [1, NaN, 1]),
      series('up', { replica: 'b' }, [1, 2, 3], [2, 2, 2]),
    ]);
    expect(gappy.series[0].v).toEqual([2, 2, 2]);
    const tie = dedupeReplicas([series('up', { replica: 'b' }, [1], [2]), series('up', { replica: 'a' }, [1], [1])]);
    expect(tie.series[0].v).toEqual([1]);
    expect(tie.replica).toBe('replica="a"');
  });

  it('knows the Prometheus Operator and Cortex/Mimir replica labels and takes a custom list', () => {
    const operator = dedupeReplicas([
      series('up', { prometheus: 'monitoring/k8s', prometheus_replica: 'prometheus-k8s-1' }, [1]),
      series('up', { prometheus: 'monitoring/k8s', prometheus_replica: 'prometheus-k8s-0' }, [1]),
    ]);
    expect(operator.series).toHaveLength(1);
    expect(operator.replica).toBe('prometheus="monitoring/k8s",prometheus_replica="prometheus-k8s-0"');
    // a CloudPulse fleet at replication 2: the same forecast from two members (docs/fleet.md)
    const fleet = dedupeReplicas([
      series('cloudpulse_forecast', { series: 'cpu', horizon: '1h', cloudpulse_replica: 'cloudpulse-1' }, [1]),
      series('cloudpulse_forecast', { series: 'cpu', horizon: '1h', cloudpulse_replica: 'cloudpulse-0' }, [1]),
    ]);
    expect(fleet.series).toHaveLength(1);
    expect(fleet.series[0].labels).toEqual({ series: 'cpu', horizon: '1h' });
    const custom = dedupeReplicas(
      [series('up', { dc: 'x', replica: 'a' }, [1]), series('up', { dc: 'y', replica: 'a' }, [1])],
      ['dc'],
    );
    expect(custom.series).toHaveLength(1);
    expect(custom.series[0].labels).toEqual({ replica: 'a' });
  });

  it('drops exact duplicates (a mixed data source over both replicas), keeping the fuller copy, then the first', () => {
    const { series: kept } = dedupeReplicas([
      series('up', { job: 'x' }, [1, 2], [1, 1], 'A'),
      series('up', { job: 'x' }, [1, 2, 3], [2, 2, 2], 'B'),
      series('up', { job: 'x' }, [1, 2, 3], [3, 3, 3], 'C'),
    ]);
    expect(kept).toHaveLength(1);
    expect(kept[0].refId).toBe('B');
  });

  it('leaves different series alone, and nameless expression results of different queries apart', () => {
    const frames = [
      series('up', { job: 'x' }, [1]),
      series('up', { job: 'y' }, [1]),
      series('', { instance: 'a' }, [1], [0.5], 'A'),
      series('', { instance: 'a' }, [1], [0.7], 'F'),
    ];
    const result = dedupeReplicas(frames);
    expect(result.series).toEqual(frames);
    expect(result.dropped).toBe(0);
    expect(result.replica).toBe('');
  });
});

describe('parseReplicaLabels', () => {
  it('reads a comma- or space-separated list; an empty option turns deduplication by label off', () => {
    expect(parseReplicaLabels('replica, prometheus_replica  cluster')).toEqual([
      'replica',
      'prometheus_replica',
      'cluster',
    ]);
    expect(parseReplicaLabels('')).toEqual([]);
    expect(parseReplicaLabels(undefined)).toContain('replica');
  });
});
