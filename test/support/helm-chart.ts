/**
 * Rendering the Helm chart in tests (test/helm-render: Go text/template + sprig, as `helm
 * template` does) and reading the objects back; shared by test/helm-chart*.test.ts.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../exporter/src/config/load.js';
import { renderChart, type RenderedObject } from './helm-render.js';
import { schemaProblems } from './kubernetes-schemas.js';
import { repoPath } from './cloudpulse-repo.js';

export const CHART = 'deploy/helm/cloudpulse';

export async function render(values: object): Promise<RenderedObject[]> {
  const r = await renderChart(CHART, values);
  if (!r.ok) throw new Error(`the chart did not render: ${r.error}`);
  return r.objects;
}
export const find = (objects: RenderedObject[], kind: string) => objects.find((o) => o.value.kind === kind)?.value;
export const container = (objects: RenderedObject[], kind = 'Deployment') =>
  find(objects, kind)!.spec.template.spec.containers[0];

/**
 * The chart rendered with the values a page walks through: its YAML blocks made only of the
 * chart's top-level keys, merged in order. The objects must match the schemas and the config must
 * pass the exporter's validation.
 */
export async function renderPage(page: string, minBlocks: number) {
  const chartValues = parse(readFileSync(repoPath(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const blocks = [...readFileSync(repoPath(page), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => parse(m[1]) as Record<string, unknown>)
    .filter((v) => v && typeof v === 'object' && Object.keys(v).every((k) => Object.hasOwn(chartValues, k)));
  expect(blocks.length, `${page}: chart values blocks`).toBeGreaterThanOrEqual(minBlocks);
  const objects = await render(blocks.reduce((acc, b) => deepMerge(acc, b), {}));
  expect(objects.flatMap((o) => schemaProblems(o.value, `${page} ${o.source} ${o.value.kind}`))).toEqual([]);
  return { objects, config: parseConfig(find(objects, 'ConfigMap')!.data['cloudpulse.yml'], `${page} values`) };
}

/** Helm's merge of values files: maps merge key by key, anything else replaces. */
function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
    out[k] = isMap(prev) && isMap(v) ? deepMerge(prev, v) : v;
  }
  return out;
}
