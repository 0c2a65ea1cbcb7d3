/**
 * Readers for the repository's public contracts that several tests check against: the metric
 * names documented in docs/metrics.md, the rules in rules/, and the runbook anchors in
 * docs/alerts.md. Pure file reading, no processes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const repoPath = (...parts: string[]) => join(REPO, ...parts);

export interface DocumentedMetric {
  name: string;
  type: string;
}

/** `### cloudpulse_x` headings of docs/metrics.md, each with the type from its "- Type:" line. */
export function documentedMetrics(): Map<string, DocumentedMetric> {
  const text = readFileSync(repoPath('docs/metrics.md'), 'utf8');
  const out = new Map<string, DocumentedMetric>();
  const sections = text.split(/^### /m).slice(1);
  for (const section of sections) {
    const name = section.slice(0, section.indexOf('\n')).trim();
    const type = /^- Type: (\w+)/m.exec(section)?.[1] ?? '';
    out.set(name, { name, type });
  }
  return out;
}

/**
 * Every cloudpulse_* metric name referenced in a PromQL expression that is not documented.
 * Histogram series (`_bucket`, `_sum`, `_count`) count as their documented family.
 */
export function undocumentedMetrics(expr: string, docs: Map<string, DocumentedMetric>): string[] {
  const missing: string[] = [];
  // Label names in grouping clauses are not series (the replica label is `cloudpulse_replica`).
  const series = expr.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1 ()');
  // A name right after ':' is part of a recording rule name (level:metric:ops), not a series.
  for (const m of series.matchAll(/(?<![:\w])cloudpulse_[a-z0-9_]+/g)) {
    const name = m[0];
    const family = name.replace(/_(bucket|sum|count)$/, '');
    const known = docs.has(name) || (family !== name && docs.get(family)?.type === 'histogram');
    if (!known) missing.push(name);
  }
  return missing;
}

/** Recording rule names (level:metric:operations) referenced in an expression. */
export function recordingRuleRefs(expr: string): string[] {
  return [...expr.matchAll(/\b[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_]\b/g)].map((m) => m[0]);
}

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleFile {
  path: string;
  groups: { name: string; rules: Rule[] }[];
}

/** rules/*.yml (the promtool unit tests under rules/tests/ are not rule files). */
export function ruleFiles(): RuleFile[] {
  const dir = repoPath('rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ path: join(dir, f), ...(parse(readFileSync(join(dir, f), 'utf8')) as Omit<RuleFile, 'path'>) }));
}

export function allRules(): Rule[] {
  return ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules));
}

export function recordedNames(): Set<string> {
  return new Set(allRules().flatMap((r) => (r.record ? [r.record] : [])));
}

/** GitHub-style anchors of the headings of docs/alerts.md. */
export function alertRunbookAnchors(): Set<string> {
  const text = readFileSync(repoPath('docs/alerts.md'), 'utf8');
  return new Set(
    [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}
