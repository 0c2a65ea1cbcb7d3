/**
 * The rules in rules/ checked by the real promtool (Debian package `prometheus`): syntax and lint
 * (`promtool check rules`) for every rule file and the Helm chart's generated copy, and every unit
 * test file (`promtool test rules`). On top, the house conventions promtool cannot see: each alert
 * has a severity, runbook annotations pointing at docs/alerts.md, a test proving it fires and one
 * proving it stays quiet; recording rules follow level:metric:operations; every cloudpulse_*
 * metric a rule reads is documented in docs/metrics.md. Last, a real Prometheus scrapes two members
 * serving the same series with the Helm chart's ServiceMonitor relabellings and evaluates the
 * shipped rules: one result per source series, one `up` per member.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HELM_RULES_PATH } from '../scripts/gen-prometheusrule.js';
import { startPrometheus, stopAll, waitFor } from './helpers/index.js';
import { findBinary } from './helpers/processes.js';
import { renderChart } from './support/helm-render.js';
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

/**
 * What every member of an R = N = 2 fleet serves: the same lines (deterministic fits). Source
 * series of three kinds: with their own `instance` (nodes), without one (a deployment), and with
 * their own `pod` (per-pod series).
 */
const MEMBER_EXPOSITION = `# TYPE cloudpulse_forecast_upper gauge
cloudpulse_forecast_upper{series="node_cpu_utilisation",horizon="1h",level="0.95",instance="node-1:9100",job="node"} 0.95
cloudpulse_forecast_upper{series="node_cpu_utilisation",horizon="1h",level="0.95",instance="node-2:9100",job="node"} 0.93
cloudpulse_forecast_upper{series="checkout_cpu_utilisation",horizon="1h",level="0.95",namespace="shop",deployment="checkout"} 0.97
cloudpulse_forecast_upper{series="db_memory_utilisation",horizon="1h",level="0.95",namespace="data",pod="db-0",instance="10.1.0.5:8080",job="kubelet"} 0.91
cloudpulse_forecast_upper{series="db_memory_utilisation",horizon="1h",level="0.95",namespace="data",pod="db-1",instance="10.1.0.5:8080",job="kubelet"} 0.5
# TYPE cloudpulse_forecast gauge
cloudpulse_forecast{series="http_requests_rate",horizon="15m",namespace="shop",deployment="checkout",pod="checkout-a"} 10
cloudpulse_forecast{series="http_requests_rate",horizon="15m",namespace="shop",deployment="checkout",pod="checkout-b"} 20
# TYPE cloudpulse_anomaly gauge
cloudpulse_anomaly{series="node_cpu_utilisation",instance="node-1:9100",job="node"} 1
cloudpulse_anomaly{series="node_cpu_utilisation",instance="node-2:9100",job="node"} 0
`;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** ServiceMonitor relabelings (prometheus-operator's camelCase) as Prometheus relabel_configs. */
function relabelConfigs(relabelings: Record<string, unknown>[]): Record<string, unknown>[] {
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return relabelings.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v])));
}

describe('two members scraped as the Helm chart scrapes them, by a real Prometheus', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await stopAll();
    await Promise.all(servers.map((srv) => new Promise((done) => srv.close(done))));
  });

  it('gives one result per source series from every rule about series, and one up per member', async () => {
    const rendered = await renderChart('deploy/helm/cloudpulse', {
      mode: 'statefulset',
      cluster: { members: 2, replication: 2 },
    });
    if (!rendered.ok) throw new Error(rendered.error);
    const monitor = rendered.objects.find((o) => o.value.kind === 'ServiceMonitor')!.value;
    const [endpoint] = monitor.spec.endpoints;
    expect(endpoint.honorLabels).toBe(true);

    const members = await Promise.all(
      [0, 1].map(async () => {
        const srv = createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(MEMBER_EXPOSITION);
        });
        servers.push(srv);
        await new Promise<void>((done) => srv.listen(0, '127.0.0.1', done));
        return `127.0.0.1:${(srv.address() as AddressInfo).port}`;
      }),
    );
    // Endpoints discovery of the StatefulSet's pods, as prometheus-operator sees them: the pod's
    // name in __meta_kubernetes_pod_name and in the `pod` target label it adds before the
    // ServiceMonitor's own relabelings.
    const prometheus = await startPrometheus({
      scrapeConfigs: [
        {
          job_name: 'serviceMonitor/monitoring/cloudpulse/0',
          honor_labels: true,
          scrape_interval: '1s',
          static_configs: members.map((target, i) => ({
            targets: [target],
            labels: { __meta_kubernetes_pod_name: `cloudpulse-${i}`, pod: `cloudpulse-${i}`, namespace: 'monitoring' },
          })),
          relabel_configs: relabelConfigs(endpoint.relabelings),
        },
      ],
      ruleFiles: ruleFiles().map((f) => f.path),
      interval: '1s',
    });
    const query = async (q: string): Promise<Sample[]> => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
        status: string;
        data: { result: Sample[] };
      };
      if (body.status !== 'success') throw new Error(`${q}: ${JSON.stringify(body)}`);
      return body.data.result;
    };
    const withoutName = ({ __name__: _, ...labels }: Record<string, string>) => labels;
    await waitFor(
      async () => (await query('series:cloudpulse_anomaly:sum')).length === 1 && (await query('up == 1')).length === 2,
      { timeout: 30_000, what: 'both members scraped and the recording rules evaluated' },
    );

    // Every copy differs from the other member's only in cloudpulse_replica; a series without an
    // instance of its own gets the Service's address; the target's pod label is gone.
    const copies = await query('cloudpulse_forecast_upper');
    expect(copies).toHaveLength(10);
    const bySeries = new Map<string, string[]>();
    for (const { metric } of copies) {
      const { cloudpulse_replica: replica, ...rest } = withoutName(metric);
      const key = JSON.stringify(Object.entries(rest).sort());
      bySeries.set(key, [...(bySeries.get(key) ?? []), replica].sort());
    }
    expect([...bySeries.values()]).toEqual(Array(5).fill(['cloudpulse-0', 'cloudpulse-1']));
    const deployment = copies.find((c) => c.metric.deployment === 'checkout')!.metric;
    expect(deployment.instance).toBe('cloudpulse.monitoring.svc:9847');
    expect(
      copies
        .filter((c) => c.metric.pod)
        .map((c) => c.metric.pod)
        .sort(),
    ).toEqual(['db-0', 'db-0', 'db-1', 'db-1']);

    // The alert expressions, evaluated by Prometheus itself: one result per source series.
    const saturation = allRules().find((r) => r.alert === 'CloudPulsePredictedSaturation')!;
    const saturated = await query(saturation.expr);
    expect(saturated.map((r) => [r.metric.series, r.metric.instance, r.metric.pod ?? '']).sort()).toEqual([
      ['checkout_cpu_utilisation', 'cloudpulse.monitoring.svc:9847', ''],
      ['db_memory_utilisation', '10.1.0.5:8080', 'db-0'],
      ['node_cpu_utilisation', 'node-1:9100', ''],
      ['node_cpu_utilisation', 'node-2:9100', ''],
    ]);
    expect(saturated.every((r) => !('cloudpulse_replica' in r.metric))).toBe(true);
    // ...and the alerts Prometheus holds (pending until their for: is over), one per series
    await waitFor(async () => (await query('ALERTS{alertname="CloudPulsePredictedSaturation"}')).length === 4, {
      timeout: 15_000,
      what: 'four pending saturation alerts',
    });
    expect(await query('count(ALERTS{alertname="CloudPulsePredictedSaturation"})')).toMatchObject([
      { value: [expect.any(Number), '4'] },
    ]);

    // Recorded sums count each series once: 10 + 20 per deployment, 1 anomalous node.
    const [load] = await query('namespace_deployment_series_horizon:cloudpulse_forecast:sum');
    expect(withoutName(load.metric)).toEqual({
      namespace: 'shop',
      deployment: 'checkout',
      series: 'http_requests_rate',
      horizon: '15m',
    });
    expect(Number(load.value[1])).toBe(30);
    const [anomalous] = await query('series:cloudpulse_anomaly:sum');
    expect(Number(anomalous.value[1])).toBe(1);

    // Self-monitoring sees each member apart.
    const up = await query('up{job="cloudpulse"}');
    expect(up.map((u) => [u.metric.instance, u.metric.cloudpulse_replica, u.metric.pod]).sort()).toEqual([
      ['cloudpulse.monitoring.svc:9847', 'cloudpulse-0', undefined],
      ['cloudpulse.monitoring.svc:9847', 'cloudpulse-1', undefined],
    ]);
  });
});
