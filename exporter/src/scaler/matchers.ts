/**
 * Label matchers in PromQL's selector syntax, for choosing label sets in scaler metadata:
 * `instance="web-1", job=~"api|web"`, with or without the surrounding braces. Values may be left
 * unquoted when they hold no comma, quote or brace (`instance=web-1`), which reads better in YAML.
 * Semantics are Prometheus': a missing label matches as the empty string and regular expressions
 * are anchored at both ends.
 */
import type { Labels } from '../sources/types.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** a regular expression in metadata is user input: keep it small */
const MAX_PATTERN = 1024;

export class MatcherSyntaxError extends Error {}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const OP = /^(=~|!~|!=|=)/;

/** Parses a matcher list; throws MatcherSyntaxError saying where and what was expected. */
export function parseMatchers(text: string): LabelMatcher[] {
  let rest = text.trim();
  if (rest.startsWith('{')) {
    if (!rest.endsWith('}')) throw new MatcherSyntaxError('expected a closing "}"');
    rest = rest.slice(1, -1).trim();
  }
  const out: LabelMatcher[] = [];
  while (rest.length > 0) {
    const name = NAME.exec(rest)?.[0];
    if (!name) throw new MatcherSyntaxError(`expected a label name at "${rest.slice(0, 20)}"`);
    rest = rest.slice(name.length).trimStart();
    const op = OP.exec(rest)?.[0] as MatchOp | undefined;
    if (!op) throw new MatcherSyntaxError(`expected =, !=, =~ or !~ after "${name}"`);
    rest = rest.slice(op.length).trimStart();
    let value: string;
    if (rest.startsWith('"')) {
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      if (!m) throw new MatcherSyntaxError(`unterminated quoted value for "${name}"`);
      value = JSON.parse(`"${m[1]}"`) as string;
      rest = rest.slice(m[0].length).trimStart();
    } else {
      const m = /^[^,"{}]*/.exec(rest)!;
      value = m[0].trim();
      rest = rest.slice(m[0].length);
    }
    if (op === '=~' || op === '!~') checkPattern(name, value);
    out.push({ name, op, value });
    rest = rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest.length > 0) throw new MatcherSyntaxError(`expected "," after the matcher for "${name}"`);
  }
  return out;
}

function checkPattern(name: string, pattern: string): void {
  if (pattern.length > MAX_PATTERN) throw new MatcherSyntaxError(`regular expression for "${name}" is too long`);
  try {
    new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new MatcherSyntaxError(`invalid regular expression for "${name}": ${(err as Error).message}`);
  }
}

/** A predicate over label sets; the regular expressions are compiled once. */
export function compileMatchers(matchers: LabelMatcher[]): (labels: Labels) => boolean {
  const tests = matchers.map((m) => {
    if (m.op === '=') return (v: string) => v === m.value;
    if (m.op === '!=') return (v: string) => v !== m.value;
    const re = new RegExp(`^(?:${m.value})$`);
    return m.op === '=~' ? (v: string) => re.test(v) : (v: string) => !re.test(v);
  });
  return (labels) => matchers.every((m, i) => tests[i](labels[m.name] ?? ''));
}

/** The matchers in one canonical spelling (sorted, quoted), for names and keys. */
export function formatMatchers(matchers: LabelMatcher[]): string {
  return matchers
    .map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`)
    .sort()
    .join(',');
}
