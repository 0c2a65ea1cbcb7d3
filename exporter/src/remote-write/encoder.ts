/**
 * Remote write 1.0's wire format: a `prometheus.WriteRequest` protobuf message (prompb's
 * remote.proto and types.proto, the fields 1.0 uses), snappy-compressed in the block format
 * (not the framed one). protobufjs does the encoding from this descriptor and `snappy` the
 * compression, so no byte of the format is written by hand here.
 *
 * `Sample.value` is a `double` in prompb. It is declared `fixed64` here, which protobuf encodes
 * identically (wire type 1, eight little-endian bytes), so the encoder hands over the value's
 * exact bits: the staleness marker is a signalling NaN that a JS number may not keep (V8 quiets
 * NaNs it stores in double arrays). The test decodes our bytes with the `double` declaration too.
 */
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { STALE_NAN_BITS, type TimeSeries } from './samples.js';

/** prompb's messages; `valueType` is `double` as prompb declares it, or `fixed64` for its bits */
export function writeRequestDescriptor(valueType: 'double' | 'fixed64') {
  return {
    nested: {
      prometheus: {
        nested: {
          WriteRequest: {
            fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } },
            // 2 was labels in an early draft; 3 is metadata, which 1.0 receivers may ignore
            reserved: [[2, 2]],
          },
          TimeSeries: {
            fields: {
              labels: { rule: 'repeated', type: 'Label', id: 1 },
              samples: { rule: 'repeated', type: 'Sample', id: 2 },
            },
          },
          Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
          Sample: { fields: { value: { type: valueType, id: 1 }, timestamp: { type: 'int64', id: 2 } } },
        },
      },
    },
  };
}

const writeRequest = protobuf.Root.fromJSON(writeRequestDescriptor('fixed64')).lookupType('prometheus.WriteRequest');

interface Bits {
  low: number;
  high: number;
  unsigned: true;
}

const STALE: Bits = { low: Number(STALE_NAN_BITS & 0xffffffffn), high: Number(STALE_NAN_BITS >> 32n), unsigned: true };
// one view to read a double's bits through: typed-array stores keep every bit
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function bitsOf(value: number): Bits {
  f64[0] = value;
  return { low: u32[0], high: u32[1], unsigned: true };
}

/** The uncompressed protobuf bytes of a WriteRequest. */
export function encodeWriteRequest(timeseries: TimeSeries[]): Uint8Array {
  const message = {
    timeseries: timeseries.map((ts) => ({
      labels: ts.labels,
      samples: ts.samples.map((s) => ({ value: s.stale ? STALE : bitsOf(s.value), timestamp: s.timestamp })),
    })),
  };
  return writeRequest.encode(message).finish();
}

/** The request body: the WriteRequest, snappy block-compressed (on libuv's thread pool). */
export async function writeRequestBody(timeseries: TimeSeries[]): Promise<Buffer> {
  return snappy.compress(Buffer.from(encodeWriteRequest(timeseries)));
}

type Long64 = number | { low: number; high: number; toNumber(): number };

/** A request body back to time series, staleness markers flagged (for tests and fake receivers). */
export function decodeWriteRequestBody(body: Uint8Array): TimeSeries[] {
  const raw = snappy.uncompressSync(Buffer.from(body)) as Buffer;
  const message = writeRequest.decode(raw) as unknown as {
    timeseries: Array<{ labels: TimeSeries['labels']; samples: Array<{ value: Long64; timestamp: Long64 }> }>;
  };
  return message.timeseries.map((ts) => ({
    labels: ts.labels.map((l) => ({ name: l.name, value: l.value })),
    samples: ts.samples.map((s) => {
      // protobufjs reads 64-bit fields as Long (it depends on the long package); a plain number
      // would have lost the bits
      if (typeof s.value === 'number') throw new Error('protobufjs decoded a fixed64 without Long');
      const v = s.value;
      const stale = v.low >>> 0 === STALE.low && v.high >>> 0 === STALE.high;
      u32[0] = v.low >>> 0;
      u32[1] = v.high >>> 0;
      const timestamp = typeof s.timestamp === 'number' ? s.timestamp : s.timestamp.toNumber();
      return { value: f64[0], timestamp, ...(stale ? { stale } : {}) };
    }),
  }));
}
