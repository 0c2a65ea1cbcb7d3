/**
 * Static checks of everything under deploy/: every YAML parses, the generated PrometheusRule
 * copies agree with rules/, the example configs pass the exporter's own config validation, the
 * Grafana dashboard only draws documented metrics with valid PromQL and working fill-between
 * overrides, and the autoscalers query recording rules that exist.
 *
 * Helm templates (deploy/helm/ * /templates/) are Go templates, not YAML, so they are excluded here;
 * test/helm-chart.test.ts renders the chart and checks what it produces.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { parseConfig } from '../exporter/src/config/load.js';
import { renderGeneratedFiles } from '../scripts/gen-prometheusrule.js';
import { findBinary } from './helpers/processes.js';
import { schemaProblems } from './support/kubernetes-schemas.js';
import {
  documentedMetrics,
  recordedNames,
  recordingRuleRefs,
  repoPath,
  REPO,
  undocumentedMetrics,
} from './support/cloudpulse-repo.js';

const run = promisify(execFile);
const docs = documentedMetrics();
const recorded = recordedNames();

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const isHelmTemplate = (path: string) => /\/deploy\/helm\/[^/]+\/templates\//.test(path);
const yamlFiles = walk(repoPath('deploy')).filter((p) => /\.ya?ml$/.test(p) && !isHelmTemplate(p));

/** Every parsed document of every YAML file under deploy/, with its file for messages. */
const documents = yamlFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => ({ file: relative(REPO, file), doc })),
);
/** Manifests of many kinds are read by path below; a schema per kind would be longer than the checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;
const manifests = documents
  .map(({ file, doc }) => ({ file, value: doc.toJS() as Manifest | null }))
  .filter((d): d is { file: string; value: Manifest } => d.value !== null && 'kind' in d.value);
const ofKind = (kind: string) => manifests.filter((m) => m.value.kind === kind);

const scratch = mkdtempSync(join(tmpdir(), 'cloudpulse-deploy-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Validate PromQL with the real parser: wrap each expression as a recording rule for promtool. */
async function expectValidPromQL(exprs: { where: string; expr: string }[]): Promise<void> {
  const promtool = findBinary('promtool');
  const file = join(scratch, `exprs-${Math.random().toString(36).slice(2)}.yml`);
  const rules = exprs.map((e, i) => ({ record: `cloudpulse_deploy_test:expr:${i}`, expr: e.expr }));
  writeFileSync(file, stringify({ groups: [{ name: 'deploy-test', rules }] }));
  const result = await run(promtool, ['check', 'rules', file]).then(
    (r) => ({ ok: true, out: r.stdout + r.stderr }),
    (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  expect(
    result.ok,
    `promtool rejected an expression:\n${result.out}\n${exprs.map((e, i) => `${i}: ${e.where}: ${e.expr}`).join('\n')}`,
  ).toBe(true);
}

describe('deploy/ YAML', () => {
  it('parses every file without errors', () => {
    expect(yamlFiles.length).toBeGreaterThan(10);
    for (const { file, doc } of documents) {
      expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    }
  });

  it('gives every Kubernetes manifest an apiVersion, kind and name', () => {
    expect(manifests.length).toBeGreaterThan(5);
    for (const { file, value } of manifests) {
      expect(value.apiVersion, `${file}: ${value.kind} without apiVersion`).toEqual(expect.any(String));
      if (value.kind === 'Kustomization') continue; // a kustomize build file, not an object in the cluster
      expect(value.metadata?.name, `${file}: ${value.kind} without metadata.name`).toEqual(expect.any(String));
    }
  });

  it('validates every manifest against the Kubernetes, prometheus-operator and KEDA schemas', () => {
    const objects = manifests.filter((m) => m.value.kind !== 'Kustomization');
    expect(objects.length).toBeGreaterThan(5);
    expect(objects.flatMap((m) => schemaProblems(m.value, `${m.file} ${m.value.kind}`))).toEqual([]);
  });

  it('keeps the generated PrometheusRule and Helm rules in sync with rules/', async () => {
    for (const [path, expected] of Object.entries(await renderGeneratedFiles())) {
      const actual = readFileSync(path, 'utf8');
      expect(actual === expected, `${relative(REPO, path)} is stale: run npx tsx scripts/gen-prometheusrule.ts`).toBe(
        true,
      );
    }
  });

  it('wires the Helm PrometheusRule template to the generated rules file', () => {
    const template = readFileSync(repoPath('deploy/helm/cloudpulse/templates/prometheusrule.yaml'), 'utf8');
    const included = /\.Files\.Get "([^"]+)"/.exec(template)?.[1];
    expect(included).toBe('files/prometheus-rules.yaml');
    const chart = parse(readFileSync(repoPath('deploy/helm/cloudpulse/Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'cloudpulse' });
  });

  it('ships example configurations the exporter accepts', () => {
    const configMap = ofKind('ConfigMap').find((m) => m.value.metadata.name === 'cloudpulse-config');
    expect(configMap, 'deploy/kubernetes/configmap.yaml').toBeDefined();
    const fromManifest = parseConfig(configMap!.value.data['cloudpulse.yml'], `${configMap!.file} data.cloudpulse.yml`);
    expect(fromManifest.series.map((s) => s.name)).toContain('http_requests_rate');

    for (const file of yamlFiles.filter((f) => f.includes('/deploy/config/'))) {
      expect(parseConfig(readFileSync(file, 'utf8'), relative(REPO, file)).series.length).toBeGreaterThan(0);
    }

    const values = parse(readFileSync(repoPath('deploy/helm/cloudpulse/values.yaml'), 'utf8'));
    const fromValues = parseConfig(stringify(values.config), 'deploy/helm/cloudpulse/values.yaml config');
    expect(fromValues.series.length).toBeGreaterThan(0);
  });

  it('scrapes with honor_labels and job="cloudpulse", as docs/metrics.md and the alerts expect', () => {
    const [monitor] = ofKind('ServiceMonitor');
    expect(monitor.value.spec.endpoints[0].honorLabels).toBe(true);
    const service = ofKind('Service').find((s) => s.value.metadata.name === 'cloudpulse');
    expect(service, 'a Service named cloudpulse (the job name)').toBeDefined();
  });
});

describe('autoscaling on predicted load', () => {
  // ScaledObjects with CloudPulse's external scaler are checked in keda-examples.test.ts
  const scaledObjects = ofKind('ScaledObject').filter(
    (so) => !(so.value.spec.triggers as { type: string }[]).some((t) => t.type === 'external'),
  );
  const queries = scaledObjects.flatMap((so) =>
    (so.value.spec.triggers as { type: string; metadata: { query?: string } }[])
      .filter((t) => t.type === 'prometheus')
      .map((t) => ({ where: `${so.file} ${so.value.metadata.name}`, expr: t.metadata.query ?? '' })),
  );

  it('makes every ScaledObject scale on a CloudPulse recording rule that exists in rules/', () => {
    expect(scaledObjects.length).toBeGreaterThanOrEqual(1);
    for (const so of scaledObjects) {
      const own = queries.filter((q) => q.where === `${so.file} ${so.value.metadata.name}`);
      const refs = own.flatMap((q) => recordingRuleRefs(q.expr));
      expect(refs.length, `${so.value.metadata.name} uses no recording rule`).toBeGreaterThan(0);
      expect(refs.some((r) => r.includes('cloudpulse_forecast'))).toBe(true);
    }
    for (const q of queries) {
      for (const ref of recordingRuleRefs(q.expr))
        expect(recorded.has(ref), `${q.where}: ${ref} is not recorded in rules/`).toBe(true);
      expect(undocumentedMetrics(q.expr, docs), q.where).toEqual([]);
    }
  });

  it('serves the HPA external metric from a recorded forecast via prometheus-adapter', () => {
    const adapter = ofKind('ConfigMap').find((m) => m.value.metadata.name === 'prometheus-adapter');
    const config = parse(adapter!.value.data['config.yaml']) as {
      externalRules: { seriesQuery: string; name: { as: string } }[];
    };
    const [hpa] = ofKind('HorizontalPodAutoscaler');
    const external = hpa.value.spec.metrics.map((m: Manifest) => m.external?.metric?.name).filter(Boolean);
    for (const name of external) {
      const rule = config.externalRules.find((r) => r.name.as === name);
      expect(rule, `adapter rule publishing ${name}`).toBeDefined();
      const refs = recordingRuleRefs(rule!.seriesQuery);
      expect(refs.length).toBe(1);
      expect(recorded.has(refs[0]), `${refs[0]} is not recorded in rules/`).toBe(true);
    }
  });

  it('uses valid PromQL in every autoscaler query', async () => {
    await expectValidPromQL(queries);
  });
});

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  fieldConfig?: {
    overrides: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[];
  };
}

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(repoPath('deploy/grafana/dashboards/cloudpulse-overview.json'), 'utf8'));
  const flat: Panel[] = (dashboard.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  const drawn = flat.filter((p) => p.type !== 'row');
  const targets = drawn.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })));
  const variables = new Set<string>((dashboard.templating.list as { name: string }[]).map((v) => v.name));

  /** Replace dashboard variables with sample values so the expression is plain PromQL. */
  const interpolate = (expr: string) =>
    expr
      .replace(/\$__rate_interval|\$horizon/g, '5m')
      .replace(/\$level/g, '0.95')
      .replace(/\$(\w+)/g, 'x');

  it('uses only standard panels, unique ids, and has a datasource on every panel and target', () => {
    expect(new Set(drawn.map((p) => p.type))).toEqual(new Set(['timeseries', 'stat']));
    const ids = flat.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of drawn) {
      expect(p.datasource?.uid, `panel "${p.title}" datasource`).toBe('${datasource}');
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(refIds.length, `panel "${p.title}" has no targets`).toBeGreaterThan(0);
      expect(new Set(refIds).size, `panel "${p.title}" repeats a refId`).toBe(refIds.length);
    }
    for (const { panel, target } of targets) {
      expect(target.datasource, `"${panel.title}" ${target.refId}`).toEqual({
        type: 'prometheus',
        uid: '${datasource}',
      });
    }
    expect(variables.has('datasource')).toBe(true);
  });

  it('draws only cloudpulse_* metrics that docs/metrics.md documents, and only defined variables', () => {
    const names = new Set<string>();
    for (const { panel, target } of targets) {
      expect(undocumentedMetrics(target.expr, docs), `"${panel.title}" ${target.refId}`).toEqual([]);
      for (const m of target.expr.matchAll(/cloudpulse_[a-z0-9_]+/g)) names.add(m[0]);
      for (const v of target.expr.matchAll(/\$(\w+)/g)) {
        if (!v[1].startsWith('__')) expect(variables.has(v[1]), `"${panel.title}" uses undefined $${v[1]}`).toBe(true);
      }
    }
    for (const core of [
      'cloudpulse_actual',
      'cloudpulse_forecast',
      'cloudpulse_forecast_lower',
      'cloudpulse_forecast_upper',
      'cloudpulse_anomaly_score',
    ]) {
      expect(names.has(core), `dashboard does not draw ${core}`).toBe(true);
    }
  });

  it('draws bands with fill-between overrides that point at series of the same panel', () => {
    let bands = 0;
    for (const panel of drawn) {
      const names = new Set((panel.targets ?? []).map((t) => t.legendFormat));
      for (const o of panel.fieldConfig?.overrides ?? []) {
        if (o.matcher.id === 'byName')
          expect(
            names.has(o.matcher.options),
            `"${panel.title}" override for unknown series ${o.matcher.options}`,
          ).toBe(true);
        if (o.matcher.id === 'byFrameRefID')
          expect((panel.targets ?? []).some((t) => t.refId === o.matcher.options)).toBe(true);
        for (const prop of o.properties.filter((p) => p.id === 'custom.fillBelowTo')) {
          bands++;
          expect(panel.type).toBe('timeseries');
          expect(
            names.has(prop.value as string),
            `"${panel.title}" fills below to missing series ${String(prop.value)}`,
          ).toBe(true);
          expect(prop.value).not.toBe(o.matcher.options);
        }
      }
    }
    expect(bands).toBeGreaterThanOrEqual(1);
  });

  it('has a row of self-monitoring stats', () => {
    const selfRow = (dashboard.panels as Panel[]).findIndex(
      (p) => p.type === 'row' && /self-monitoring/i.test(p.title),
    );
    expect(selfRow).toBeGreaterThanOrEqual(0);
    const after = (dashboard.panels as Panel[]).slice(selfRow + 1).filter((p) => p.type === 'stat');
    expect(after.length).toBeGreaterThanOrEqual(6);
  });

  it('uses valid PromQL in every target and variable query', async () => {
    const exprs = targets.map(({ panel, target }) => ({
      where: `"${panel.title}" ${target.refId}`,
      expr: interpolate(target.expr),
    }));
    for (const v of dashboard.templating.list as { name: string; type: string; definition?: string }[]) {
      const inner = v.type === 'query' ? /^label_values\((.+),\s*\w+\)$/.exec(v.definition ?? '')?.[1] : undefined;
      if (inner) exprs.push({ where: `variable ${v.name}`, expr: interpolate(inner) });
    }
    await expectValidPromQL(exprs);
  });

  it('is provisioned with a Prometheus datasource and a file provider', () => {
    const ds = parse(readFileSync(repoPath('deploy/grafana/provisioning/datasources/cloudpulse.yaml'), 'utf8'));
    expect(ds.datasources.filter((d: { type: string }) => d.type === 'prometheus')).toHaveLength(1);
    const providers = parse(readFileSync(repoPath('deploy/grafana/provisioning/dashboards/cloudpulse.yaml'), 'utf8'));
    expect(providers.providers[0]).toMatchObject({ type: 'file', options: { path: expect.any(String) } });
  });
});
