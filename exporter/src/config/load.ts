/**
 * Loading and validating the YAML configuration. Every problem is reported with the file, the
 * key path (e.g. `series[2].horizons[0]`) and what was expected, and nothing starts until the
 * whole file is valid.
 */
import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { DEFAULT_CONFIG_YAML } from './default.js';
import { semanticErrors } from './check.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `["series", 2, "horizons", 0]` -> `series[2].horizons[0]` */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatKeyPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => `${formatKeyPath([...issue.path, k])}: unknown key (check spelling; see docs/configuration.md)`)
        .join('\n  - ');
    case 'invalid_type':
      return `${where}: expected ${issue.expected}${issue.message.includes('received') ? `, ${issue.message.slice(issue.message.indexOf('received'))}` : ''}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** Environment overrides from the original design: PROMETHEUS_URL, MODEL_SAVE_PATH, FORECAST_INTERVAL_MINUTES. */
export function applyEnvironment(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const obj = (parent: Record<string, unknown>, key: string): Record<string, unknown> => {
    const v = parent[key];
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    const fresh: Record<string, unknown> = {};
    parent[key] = fresh;
    return fresh;
  };
  if (env.PROMETHEUS_URL) {
    const prom = obj(obj(raw, 'source'), 'prometheus');
    prom.url = env.PROMETHEUS_URL;
  }
  if (env.MODEL_SAVE_PATH) obj(raw, 'storage').path = env.MODEL_SAVE_PATH;
  if (env.FORECAST_INTERVAL_MINUTES) {
    const minutes = Number(env.FORECAST_INTERVAL_MINUTES);
    if (!Number.isFinite(minutes) || minutes <= 0) {
      problems.push(
        `FORECAST_INTERVAL_MINUTES (environment): expected a positive number of minutes, got ${JSON.stringify(env.FORECAST_INTERVAL_MINUTES)}`,
      );
    } else obj(raw, 'schedule').interval = minutes * 60;
  }
  return problems;
}

/**
 * Parse and validate configuration text, semantic checks included (config/check.ts). `file` is
 * used only in messages. Warnings are not errors: get them with `configWarnings(config)`.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = {}): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const raw = (doc.toJS() ?? {}) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, ['(top level): expected a mapping with keys such as source, series']);
  }
  const envProblems = applyEnvironment(raw as Record<string, unknown>, env);
  const result = configSchema.safeParse(raw);
  const problems = [...envProblems];
  if (!result.success) problems.push(...result.error.issues.map(describeIssue));
  if (problems.length > 0) throw new ConfigError(file, problems);
  const config = result.data!;
  const names = new Set<string>();
  config.series.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`series[${i}].name: expected a unique name, "${s.name}" is used twice`);
    names.add(s.name);
  });
  problems.push(...semanticErrors(config));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

/** Load the file given by --config.file, or the embedded default (simulation) when none is given. */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  if (!path) return parseConfig(DEFAULT_CONFIG_YAML, '(embedded default)', env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseConfig(text, path, env);
}
