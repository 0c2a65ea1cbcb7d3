/** Grafana data frames to plain labelled series (seconds, NaN for gaps). */
import { FieldType, type DataFrame } from '@grafana/data';

export interface LabeledSeries {
  /** metric name: the `__name__` label, else the value field's name, else the frame's name */
  metric: string;
  /** labels without `__name__` */
  labels: Record<string, string>;
  /** whether `metric` is a metric name (from `__name__` or a dataplane field), not a frame's name */
  named: boolean;
  refId?: string;
  t: number[];
  v: number[];
}

/**
 * One series per number field. Handles both frame shapes the Prometheus data source produces:
 * labels with `__name__` on a field called "Value", and the dataplane shape where the field is
 * named after the metric.
 */
export function framesToSeries(frames: DataFrame[]): LabeledSeries[] {
  const out: LabeledSeries[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!time) continue;
    const t = Array.from(time.values as ArrayLike<unknown>, (ms) => toNumber(ms) / 1000);
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) continue;
      const { __name__: labelName, ...labels } = field.labels ?? {};
      const fieldName = field.name && field.name !== 'Value' ? field.name : undefined;
      const metric = labelName ?? fieldName ?? frame.name ?? '';
      const values = Array.from(field.values as ArrayLike<unknown>, toNumber);
      out.push({ metric, named: (labelName ?? fieldName) !== undefined, labels, refId: frame.refId, t, v: values });
    }
  }
  return out;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}
