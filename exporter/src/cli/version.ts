/** `cloudpulse version` */
import { VERSION } from '../version.js';
import type { Command } from './types.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version',
  usage: 'usage: cloudpulse version',
  async run(_args, ctx) {
    ctx.stdout.write(`cloudpulse ${VERSION} (node ${process.version})\n`);
    return 0;
  },
};
