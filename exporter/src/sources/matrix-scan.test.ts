import { describe, expect, it } from 'vitest';
import { sampleValue, scanMatrix } from './matrix-scan.js';

/** what JSON.parse makes of the same body, in the scanner's shape */
function viaJson(text: string) {
  const body = JSON.parse(text) as { data: { result: Array<{ metric: object; values?: [number, string][] }> } };
  return body.data.result.map((r) => ({
    metric: r.metric,
    timestamps: (r.values ?? []).map((p) => p[0]),
    values: (r.values ?? []).map((p) => sampleValue(p[1])),
  }));
}

function scan(text: string) {
  return scanMatrix(Buffer.from(text));
}

describe('scanMatrix', () => {
  it('reads what JSON.parse reads, on randomised answers with awkward labels, values and spacing', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const awkward = ['plain', 'with "quotes"', 'back\\slash', 'brackets ]}[{', 'ünïcødé ✓', 'new\nline', ''];
    const specials = [
      ...['NaN', '+Inf', '-Inf', '1e-05', '-0', '0', '0.1', '-0.000123', '123456789.123456789', '-2.5E+10'],
      ...['9007199254740993', '0.30000000000000004', '123456789012345', '1.000000000000000000000001', '.5', '5.'],
    ];
    for (let round = 0; round < 50; round++) {
      const series = Array.from({ length: Math.floor(random() * 5) }, (_, i) => ({
        metric: { __name__: 'm', instance: `i${i}`, note: awkward[Math.floor(random() * awkward.length)] },
        values: Array.from({ length: Math.floor(random() * 20) }, (_, k) => [
          // whole seconds mostly, as Prometheus writes aligned steps; sometimes fractions
          random() < 0.8 ? 1_700_000_000 + k * 60 : 1_700_000_000.125 + k * 0.5,
          random() < 0.3
            ? specials[Math.floor(random() * specials.length)]
            : // shortest round-trip text, as Go writes it: 15 to 17 digits, or fewer
              String(random() < 0.5 ? random() * 1000 - 500 : Math.round(random() * 1e6) / 1000),
        ]),
      }));
      const body = { status: 'success', data: { resultType: 'matrix', result: series } };
      const compact = JSON.stringify(body);
      for (const text of [compact, JSON.stringify(body, null, 2)]) {
        const scanned = await scan(text);
        expect(scanned).toBeDefined();
        // toEqual tells -0 from 0, and every value must be the same double
        expect(scanned!.result).toEqual(viaJson(text));
        expect(scanned!.envelope).toEqual({ ...body, data: { ...body.data, result: [] } });
      }
    }
  });

  it('keeps the envelope around the result: warnings after it, other keys before it, keys in any order', async () => {
    const text =
      '{"status":"success","isPartial":false,"data":{"resultType":"matrix","result":[' +
      '{"values":[[1,"2"]],"histograms":[[1,{"count":"3","buckets":[[0,"1","2","3"]]}]],"metric":{"a":"b"}}' +
      ']},"warnings":["partial answer"]}';
    const scanned = (await scan(text))!;
    expect(scanned.result).toEqual([{ metric: { a: 'b' }, timestamps: [1], values: [2] }]);
    expect(scanned.envelope).toEqual({
      status: 'success',
      isPartial: false,
      data: { resultType: 'matrix', result: [] },
      warnings: ['partial answer'],
    });
  });

  it('returns undefined on shapes it does not expect, so the caller falls back to JSON.parse', async () => {
    for (const text of [
      '{"status":"error","errorType":"bad_data","error":"parse error"}',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"\\u0032"]]}]}}',
      '{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"2"]]}]}}',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]]}]}',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[x,"2"]]}]}}',
    ]) {
      expect(await scan(text), text).toBeUndefined();
    }
  });

  it('leaves the result type to the envelope check (a vector answer keeps resultType vector)', async () => {
    const scanned = await scan(
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}}',
    );
    expect(scanned!.envelope).toMatchObject({ data: { resultType: 'vector' } });
  });

  it('pauses between slices when given a way to, and reads the same', async () => {
    const series = Array.from({ length: 20_000 }, (_, i) => ({
      metric: { instance: `i${i}` },
      values: Array.from({ length: 20 }, (_, k) => [1_700_000_000 + k * 60, String(i + k / 8)]),
    }));
    const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series } });
    let pauses = 0;
    const paused = await scanMatrix(Buffer.from(text), async () => void pauses++);
    expect(pauses).toBeGreaterThan(0);
    expect(paused!.result).toEqual(viaJson(text));
  });

  it('treats an empty result as no series', async () => {
    expect((await scan('{"status":"success","data":{"resultType":"matrix","result":[]}}'))!.result).toEqual([]);
  });
});
