/**
 * Flag parsing shared by every command: `--name value`, `--name=value` and boolean `--name`,
 * in the dotted style of Prometheus exporters (`--web.listen-address`). Unknown flags are errors.
 */
import { UsageError } from './types.js';

export interface FlagSpec {
  /** flag name without dashes, e.g. "config.file" */
  name: string;
  type: 'string' | 'boolean' | 'number';
  /** environment variable consulted when the flag is absent */
  env?: string;
}

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

export function parseFlags(args: string[], specs: FlagSpec[], env: NodeJS.ProcessEnv = {}): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedFlags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name) ?? (name.startsWith('no-') ? byName.get(name.slice(3)) : undefined);
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (spec.type === 'boolean') {
      if (eq !== -1) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new UsageError(`--${name} expects true or false, got "${v}"`);
        out[spec.name] = v === 'true';
      } else out[spec.name] = !name.startsWith('no-');
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
      value = args[++i];
    }
    if (spec.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${value}"`);
      out[spec.name] = n;
    } else out[spec.name] = value;
  }
  for (const spec of specs) {
    if (out[spec.name] === undefined && spec.env && env[spec.env] !== undefined) {
      out[spec.name] = spec.type === 'number' ? Number(env[spec.env]) : env[spec.env];
    }
  }
  return out;
}

/** A required positive integer flag. */
export function requirePositiveInt(flags: ParsedFlags, name: string): number {
  const v = flags[name];
  if (v === undefined) throw new UsageError(`--${name} is required`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new UsageError(`--${name} expects a positive whole number, got "${v}"`);
  }
  return v;
}

/** "80,95" or "0.8,0.95" -> [0.8, 0.95] */
export function parseLevels(text: string | undefined): number[] {
  if (text === undefined) return [0.8, 0.95];
  const levels = text.split(',').map((part) => {
    const n = Number(part.trim());
    const level = n >= 1 ? n / 100 : n;
    if (!Number.isFinite(level) || level <= 0 || level >= 1) {
      throw new UsageError(`--levels expects percentages such as 80,95, got "${part}"`);
    }
    return level;
  });
  return levels;
}
