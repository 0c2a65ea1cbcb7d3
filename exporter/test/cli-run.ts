/** Run a CLI command in-process and capture what it writes (shared by the CLI contract tests). */
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env: {}, interactive: false });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
