/**
 * One gzip stream from a large prefix compressed once and a small tail compressed per use. The
 * prefix is deflated with a full flush (it ends on a byte boundary, without a final block, with
 * the compressor's dictionary reset), so the tail's independently deflated blocks can follow it
 * in the same deflate stream; the gzip trailer then carries the CRC-32 of both parts, continued
 * from the prefix's. The result is an ordinary single-member gzip that every client reads (curl,
 * for one, stops at the end of the first member of a multi-member stream).
 */
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

/** gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);

export interface DeflatedPrefix {
  deflated: Buffer;
  crc: number;
  length: number;
}

/** Compress the prefix once (on libuv's thread pool). */
export async function deflatePrefix(data: Buffer, level = 1): Promise<DeflatedPrefix> {
  const deflated = await deflateRawAsync(data, { level, finishFlush: constants.Z_FULL_FLUSH });
  return { deflated, crc: crc32(data), length: data.length };
}

/** A complete gzip body: the compressed prefix followed by `tail`. */
export async function gzipWithPrefix(prefix: DeflatedPrefix, tail: Buffer, level = 1): Promise<Buffer> {
  // the CRC first: after zlib has read an empty buffer, crc32() of it answers 0 (seen on Node 20.20)
  const crc = tail.length > 0 ? crc32(tail, prefix.crc) : prefix.crc;
  const deflatedTail = await deflateRawAsync(tail, { level });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((prefix.length + tail.length) % 2 ** 32, 4);
  return Buffer.concat([HEADER, prefix.deflated, deflatedTail, trailer]);
}
