/** `cloudpulse <command> [flags]`. With no command (or only flags) it runs the exporter. */
import { COMMANDS } from './index.js';
import { UsageError, type CommandContext } from './types.js';

async function helpText(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return [
    'usage: cloudpulse <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'cloudpulse help <command>' for a command's flags.",
  ].join('\n');
}

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  let [name, ...rest] = argv;
  if (name === undefined || name.startsWith('--')) {
    if (name === '--help' || name === '-h') {
      ctx.stdout.write((await helpText()) + '\n');
      return 0;
    }
    if (name === '--version') name = 'version';
    else {
      rest = argv;
      name = 'run';
    }
  }
  if (name === 'help') {
    const target = rest[0] && Object.hasOwn(COMMANDS, rest[0]) ? await COMMANDS[rest[0]]() : undefined;
    ctx.stdout.write((target ? target.usage : await helpText()) + '\n');
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? await COMMANDS[name]() : undefined;
  if (!command) {
    ctx.stderr.write(`cloudpulse: unknown command "${name}"\n\n${await helpText()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.stderr.write(`cloudpulse ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    ctx.stderr.write(`cloudpulse ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /cloudpulse(\.js)?$|cli[/\\]main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: Boolean(process.stderr.isTTY),
  });
  // `run` keeps the process alive itself; everything else exits when done
  if (code !== -1) {
    process.exitCode = code;
  }
}
