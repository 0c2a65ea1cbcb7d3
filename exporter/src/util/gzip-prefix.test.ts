import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflatePrefix, gzipWithPrefix } from './gzip-prefix.js';

describe('gzip with a precompressed prefix', () => {
  it('is one gzip member that gunzip and the gzip tool read in full', async () => {
    const prefix = Buffer.from('x{a="1"} 1\n'.repeat(50_000) + randomBytes(1000).toString('hex'));
    const tail = Buffer.from('# HELP up Up.\n# TYPE up gauge\nup 1\n');
    const body = await gzipWithPrefix(await deflatePrefix(prefix), tail);
    expect(gunzipSync(body).equals(Buffer.concat([prefix, tail]))).toBe(true);
    // the reference implementation checks the CRC and length in the trailer too
    const out = execFileSync('gzip', ['-dc'], { input: body });
    expect(out.equals(Buffer.concat([prefix, tail]))).toBe(true);
  });

  it('reuses one prefix for many tails', async () => {
    const prefix = await deflatePrefix(Buffer.from('a'.repeat(10_000)));
    for (const tail of ['1', '', 'b'.repeat(70_000)]) {
      expect(gunzipSync(await gzipWithPrefix(prefix, Buffer.from(tail))).toString()).toBe('a'.repeat(10_000) + tail);
    }
  });
});
