/** One CLI command per file in this folder, listed by name in `index.ts`. */
import type { Writable } from 'node:stream';

export interface CommandContext {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** true when stderr is a terminal: progress bars may redraw in place */
  interactive: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** full usage text printed by `cloudpulse help NAME` and on bad arguments */
  readonly usage: string;
  /** returns the process exit code */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** A bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
