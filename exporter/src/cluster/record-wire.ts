/**
 * A series record as one member hands it to another (JSON): what the KEDA scaler reads of it
 * (labels, step, last value, the forecast path and when it was made), not its exposition lines.
 * NaN travels as null.
 */
import type { Labels } from '../sources/types.js';
import type { SeriesRecord } from '../store/record.js';

export interface WireRecord {
  key: string;
  entry: string;
  labels: Labels;
  step: number;
  simulated: boolean;
  lastT: number | null;
  lastValue: number | null;
  forecastAt: number | null;
  forecast: {
    origin: number;
    step: number;
    point: Array<number | null>;
    intervals: Array<{ level: number; lower: Array<number | null>; upper: Array<number | null> }>;
  } | null;
}

const out = (v: number) => (Number.isFinite(v) ? v : null);
const back = (v: number | null | undefined) => (typeof v === 'number' ? v : NaN);
const outs = (a: ArrayLike<number>) => Array.from(a, out);
const backs = (a: Array<number | null>) => Float64Array.from(a, back);

export function toWire(r: SeriesRecord): WireRecord {
  const f = r.forecast;
  return {
    key: r.key,
    entry: r.entry,
    labels: r.labels,
    step: r.step,
    simulated: r.simulated,
    lastT: out(r.lastT),
    lastValue: out(r.lastValue),
    forecastAt: r.forecastAt ?? null,
    forecast: f
      ? {
          origin: f.origin,
          step: f.step,
          point: outs(f.point),
          intervals: f.intervals.map((iv) => ({ level: iv.level, lower: outs(iv.lower), upper: outs(iv.upper) })),
        }
      : null,
  };
}

export function fromWire(w: WireRecord): SeriesRecord {
  const f = w.forecast;
  return {
    key: w.key,
    entry: w.entry,
    labels: w.labels,
    step: w.step,
    simulated: w.simulated,
    lastT: back(w.lastT),
    lastValue: back(w.lastValue),
    forecastAt: w.forecastAt ?? undefined,
    forecast: f
      ? {
          origin: f.origin,
          step: f.step,
          point: backs(f.point),
          intervals: f.intervals.map((iv) => ({ level: iv.level, lower: backs(iv.lower), upper: backs(iv.upper) })),
        }
      : undefined,
    accuracy: [],
    exposition: new Uint8Array(0),
    offsets: new Uint32Array(0),
  };
}
