import { describe, expect, it } from 'vitest';
import { carve } from './carve.js';

describe('carve', () => {
  it('cuts aligned, non-overlapping views of one buffer', () => {
    const parts = carve((c) => ({ bytes: c.u8(3), wide: c.f64(2), ints: c.i32(3), floats: c.f32(5) }));
    const all = Object.values(parts);
    expect(new Set(all.map((a) => a.buffer)).size).toBe(1);
    for (const a of all) expect(a.byteOffset % a.BYTES_PER_ELEMENT).toBe(0);
    expect(parts.wide.byteOffset).toBe(8);
    // writing each part leaves the others as they were
    parts.bytes.fill(255);
    parts.wide.fill(-1);
    parts.ints.fill(7);
    parts.floats.fill(0.5);
    expect([...parts.bytes]).toEqual([255, 255, 255]);
    expect([...parts.wide]).toEqual([-1, -1]);
    expect([...parts.ints]).toEqual([7, 7, 7]);
    expect([...parts.floats]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(parts.floats.byteOffset + parts.floats.byteLength).toBe(parts.floats.buffer.byteLength);
  });

  it('keeps what make() does to the arrays it is given', () => {
    const { a } = carve((c) => ({ a: c.f64(4).fill(NaN) }));
    expect([...a].every(Number.isNaN)).toBe(true);
  });
});
