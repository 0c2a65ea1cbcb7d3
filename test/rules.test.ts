/**
 * The rules in rules/ checked by the real promtool (Debian package `prometheus`): syntax and lint
 * (`promtool check rules`) for every rule file and the Helm chart's generated copy, and every unit
 * test file (`promtool test rules`). On top, the house conventions promtool cannot see: each alert
 * has a severity, runbook annotations pointing at docs/alerts.md, a test proving it fires and one
 * proving it stays quiet; recording rules follow level:metric:operations; every cloudpulse_*
 * metric a rule reads is documented in docs/metrics.md.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HELM_RULES_PATH } from '../scripts/gen-prometheusrule.js';
import { findBinary } from './helpers/processes.js';
import {
  allRules,
  alertRunbookAnchors,
  documentedMetrics,
  recordedNames,
  recordingRuleRefs,
  repoPath,
  REPO,
  ruleFiles,
  undocumentedMetrics,
} from './support/cloudpulse-repo.js';

const run = promisify(execFile);
const TESTS_DIR = repoPath('rules/tests');
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((f) => join(TESTS_DIR, f));

async function promtool(args: string[]): Promise<{ ok: boolean; output: string }> {
  const bin = findBinary('promtool');
  return run(bin, args).then(
    (r) => ({ ok: true, output: r.stdout + r.stderr }),
    (e: { stdout?: string; stderr?: string; message: string }) => ({
      ok: false,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message,
    }),
  );
}

describe('promtool', () => {
  const checked = [...ruleFiles().map((f) => f.path), HELM_RULES_PATH];
  it.each(checked.map((p) => [relative(REPO, p), p]))('check rules %s', async (_name, path) => {
    const { ok, output } = await promtool(['check', 'rules', path]);
    expect(ok, output).toBe(true);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.each(testFiles.map((p) => [relative(REPO, p), p]))('test rules %s', async (_name, path) => {
    const { ok, output } = await promtool(['test', 'rules', path]);
    expect(ok, output).toBe(true);
    expect(output).toContain('SUCCESS');
  });
});

interface AlertTest {
  alertname: string;
  eval_time: string;
  exp_alerts: unknown[];
}

describe('rule conventions', () => {
  const rules = allRules();
  const alerts = rules.filter((r) => r.alert);
  const docs = documentedMetrics();
  const anchors = alertRunbookAnchors();

  it('gives every alert a severity, a summary, a description and a runbook in docs/alerts.md', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    for (const a of alerts) {
      expect(['info', 'warning', 'critical'], `${a.alert} severity`).toContain(a.labels?.severity);
      expect(a.annotations?.summary, `${a.alert} summary`).toBeTruthy();
      expect(a.annotations?.description, `${a.alert} description`).toBeTruthy();
      const anchor = /\/docs\/alerts\.md#([\w-]+)$/.exec(a.annotations?.runbook_url ?? '')?.[1];
      expect(anchor, `${a.alert} runbook_url must point into docs/alerts.md`).toBeDefined();
      expect(anchors.has(anchor!), `docs/alerts.md has no section #${anchor}`).toBe(true);
    }
  });

  it('carries the anomaly severity into the sustained-anomaly alert labels', () => {
    const sustained = alerts.filter((a) => a.alert === 'CloudPulseAnomalySustained');
    expect(new Set(sustained.map((a) => a.labels?.anomaly_severity))).toEqual(new Set(['medium', 'high', 'critical']));
    for (const a of sustained) expect(a.for, 'sustained means a for: duration').toBeTruthy();
  });

  it('has a promtool test proving each alert fires and one proving it stays quiet', () => {
    const cases = testFiles.flatMap((f) => {
      const doc = parse(readFileSync(f, 'utf8')) as { tests: { alert_rule_test?: AlertTest[] }[] };
      return doc.tests.flatMap((t) => t.alert_rule_test ?? []);
    });
    for (const name of new Set(alerts.map((a) => a.alert!))) {
      const mine = cases.filter((c) => c.alertname === name);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${name}: no test where it fires`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${name}: no test where it stays quiet`,
      ).toBe(true);
    }
    // and every severity variant of an alert fires somewhere
    const fired = new Set(
      cases.flatMap((c) =>
        (c.exp_alerts as { exp_labels?: Record<string, string> }[]).map(
          (e) => `${c.alertname}/${e.exp_labels?.severity}/${e.exp_labels?.reason ?? ''}`,
        ),
      ),
    );
    for (const a of alerts) {
      expect(
        fired.has(`${a.alert}/${a.labels?.severity}/${a.labels?.reason ?? ''}`),
        `${a.alert} ${JSON.stringify(a.labels)} never fires in a test`,
      ).toBe(true);
    }
  });

  it('folds the replicas of a series into one in every rule about series, and keeps members apart in self-monitoring', () => {
    // cluster.replication >= 2: each series is served by several members whose copies differ only
    // in cloudpulse_replica (docs/alerts.md). A raw cloudpulse_* selector in a rule about series
    // must be read through max/min without (cloudpulse_replica), or an idempotent max by (...);
    // rules/tests/replicas.test.yml proves what this checks by shape.
    const folded = /(?:(?:max|min) without \(cloudpulse_replica\)|max by \([^)]*\)) \(\s*(?:max_over_time\()?$/;
    let checked = 0;
    for (const file of ruleFiles()) {
      for (const group of file.groups) {
        for (const r of group.rules) {
          const where = `${group.name} ${r.alert ?? r.record}`;
          const expr = r.expr.replace(/\s+/g, ' ');
          if (group.name === 'cloudpulse.self') {
            expect(expr, `${where} is about one member and must keep cloudpulse_replica`).not.toContain(
              'cloudpulse_replica',
            );
            continue;
          }
          for (const m of expr.matchAll(/(?<![:\w])cloudpulse_(?!replica\b)[a-z0-9_]+/g)) {
            checked++;
            expect(expr.slice(0, m.index), `${where}: ${m[0]} is read without folding its replicas`).toMatch(folded);
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('names recording rules level:metric:operations and reads only recorded or documented series', () => {
    const recorded = recordedNames();
    for (const r of rules) {
      if (r.record) expect(r.record).toMatch(/^[a-z_]+:cloudpulse_[a-z0-9_]+:[a-z0-9_]+$/);
      expect(undocumentedMetrics(r.expr, docs), `${r.alert ?? r.record}`).toEqual([]);
      for (const ref of recordingRuleRefs(r.expr))
        expect(recorded.has(ref), `${r.alert ?? r.record} reads unrecorded ${ref}`).toBe(true);
    }
  });
});
