/** Builds data frames shaped like the Prometheus data source's, for tests. */
import { FieldType, toDataFrame, type DataFrame } from '@grafana/data';

export function promFrame(
  metric: string,
  labels: Record<string, string>,
  points: Array<[number, number]>,
  refId = 'A',
): DataFrame {
  return toDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: points.map(([t]) => t * 1000) },
      {
        name: 'Value',
        type: FieldType.number,
        values: points.map(([, v]) => v),
        labels: { __name__: metric, ...labels },
      },
    ],
  });
}
