/**
 * Several typed arrays cut from one ArrayBuffer. Every separate buffer costs about 150 bytes
 * beyond its data (V8's ArrayBuffer object, its backing-store record, allocator rounding; measured
 * with jemalloc on Node 20), and a series held about 80 small ones: 12 KB of every series. A view
 * of a shared buffer costs only the view.
 *
 *   const { sums, counts } = carve((c) => ({ sums: c.f64(n), counts: c.i32(n) }));
 *
 * `make` runs twice: once to measure, once to cut. It must ask for the same arrays both times
 * and do nothing else.
 */
export class Carver {
  private offset = 0;

  constructor(private readonly buffer?: ArrayBuffer) {}

  get size(): number {
    return this.offset;
  }

  f64(length: number): Float64Array {
    return this.cut(Float64Array, length);
  }

  f32(length: number): Float32Array {
    return this.cut(Float32Array, length);
  }

  i32(length: number): Int32Array {
    return this.cut(Int32Array, length);
  }

  u8(length: number): Uint8Array {
    return this.cut(Uint8Array, length);
  }

  private cut<T>(
    Kind: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
    length: number,
  ): T {
    const align = Kind.BYTES_PER_ELEMENT;
    const at = Math.ceil(this.offset / align) * align;
    this.offset = at + length * align;
    // measuring: a zero-length view of a shared empty buffer
    return this.buffer ? new Kind(this.buffer, at, length) : new Kind(EMPTY, 0, 0);
  }
}

const EMPTY = new ArrayBuffer(0);

export function carve<T>(make: (c: Carver) => T): T {
  const measure = new Carver();
  make(measure);
  return make(new Carver(new ArrayBuffer(measure.size)));
}
