import protobuf from 'protobufjs';
import snappy from 'snappy';
import { describe, expect, it } from 'vitest';
import { decodeWriteRequestBody, encodeWriteRequest, writeRequestBody, writeRequestDescriptor } from './encoder.js';
import { STALE_NAN_BITS, type TimeSeries } from './samples.js';

const series: TimeSeries[] = [
  {
    labels: [
      { name: '__name__', value: 'cloudpulse_forecast' },
      { name: 'horizon', value: '5m' },
      { name: 'instance', value: 'ünï "x"' },
    ],
    samples: [
      { value: 0.1 + 0.2, timestamp: 1_765_100_000_123 },
      { value: -1e-300, timestamp: 1_765_100_001_000 },
    ],
  },
  {
    labels: [{ name: '__name__', value: 'cloudpulse_actual' }],
    samples: [
      { value: 0, timestamp: 1 },
      { value: 0, timestamp: 2, stale: true },
      { value: Number.MAX_VALUE, timestamp: 2 ** 52 },
    ],
  },
];

/** prompb as Prometheus declares it (value a double) */
const asPrometheus = protobuf.Root.fromJSON(writeRequestDescriptor('double')).lookupType('prometheus.WriteRequest');

describe('remote write encoding', () => {
  it('round-trips labels, values to the bit, timestamps and the staleness flag', async () => {
    const body = await writeRequestBody(series);
    // a staleness marker comes back as a NaN value, flagged
    const expected = series.map((ts) => ({
      ...ts,
      samples: ts.samples.map((s) => (s.stale ? { ...s, value: NaN } : s)),
    }));
    expect(decodeWriteRequestBody(body)).toEqual(expected);
  });

  it('is the snappy block format of the protobuf message', async () => {
    const body = await writeRequestBody(series);
    const raw = snappy.uncompressSync(body) as Buffer;
    expect(raw.equals(Buffer.from(encodeWriteRequest(series)))).toBe(true);
    // the block format starts with the uncompressed length; the framed one with 0xff "sNaPpY"
    expect(body[0]).not.toBe(0xff);
  });

  it('decodes with prompb’s own declaration (value: double) to the same values', () => {
    const decoded = asPrometheus.toObject(asPrometheus.decode(encodeWriteRequest(series)), { longs: Number }) as {
      timeseries: Array<{ labels: unknown; samples: Array<{ value: number; timestamp: number }> }>;
    };
    expect(decoded.timeseries[0].labels).toEqual(series[0].labels);
    expect(decoded.timeseries[0].samples).toEqual([
      { value: 0.1 + 0.2, timestamp: 1_765_100_000_123 },
      { value: -1e-300, timestamp: 1_765_100_001_000 },
    ]);
    const stale = decoded.timeseries[1].samples[1];
    expect(Number.isNaN(stale.value)).toBe(true);
    expect(decoded.timeseries[1].samples[2]).toEqual({ value: Number.MAX_VALUE, timestamp: 2 ** 52 });
  });

  it('puts the exact staleness marker bits on the wire', () => {
    const raw = Buffer.from(encodeWriteRequest([{ labels: [], samples: [{ value: 1, timestamp: 5, stale: true }] }]));
    const marker = Buffer.alloc(8);
    marker.writeBigUInt64LE(STALE_NAN_BITS);
    // field 1, wire type 1 (64-bit), then the eight bytes
    expect(raw.includes(Buffer.concat([Buffer.from([0x09]), marker]))).toBe(true);
  });
});
