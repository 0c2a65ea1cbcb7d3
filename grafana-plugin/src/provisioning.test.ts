/**
 * provisioning/ and docker-compose.yaml against the plugin: the demo dashboard (also the browser
 * test's panel and the recorded queries) must name this plugin and only options it declares, and
 * the mounts must put each file where Grafana looks for it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PanelOptionsEditorBuilder, standardEditorsRegistry } from '@grafana/data';
import { plugin } from './module';
import type { ForecastPanelOptions } from './types';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pluginJson = JSON.parse(read('src/plugin.json')) as { id: string };
const dashboard = JSON.parse(read('provisioning/dashboards/cloudpulse-forecast-panel.json')) as {
  templating: { list: Array<{ type: string; query: string }> };
  panels: Array<{ type: string; options: Record<string, unknown>; datasource: { type: string } }>;
};
const compose = parse(read('docker-compose.yaml')) as {
  services: { grafana: { volumes: string[]; environment: Record<string, string> } };
};

/** The options the plugin declares, by path, with the values a radio allows. */
function declaredOptions(): Map<string, unknown[] | undefined> {
  standardEditorsRegistry.setInit(() =>
    ['radio', 'text', 'boolean', 'color'].map((id) => ({ id, name: id, editor: () => null })),
  );
  const builder = new PanelOptionsEditorBuilder<ForecastPanelOptions>();
  plugin.getPanelOptionsSupplier()(builder, { data: [] });
  return new Map(
    builder.getItems().map((item) => {
      const settings = item.settings as { options?: Array<{ value: unknown }> } | undefined;
      return [item.path, item.id === 'radio' ? settings?.options?.map((o) => o.value) : undefined];
    }),
  );
}

describe('provisioning', () => {
  it('the demo dashboard uses this plugin with options it declares', () => {
    const declared = declaredOptions();
    const [panel] = dashboard.panels;
    expect(panel.type).toBe(pluginJson.id);
    for (const [path, value] of Object.entries(panel.options)) {
      expect(declared.has(path), `option ${path}`).toBe(true);
      const allowed = declared.get(path);
      if (allowed) expect(allowed, `value of ${path}`).toContain(value);
    }
  });

  it('the dashboard finds a provisioned default data source of the type it queries', () => {
    const { datasources } = parse(read('provisioning/datasources/datasources.yaml')) as {
      datasources: Array<{ type: string; isDefault?: boolean }>;
    };
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource')!;
    expect(dashboard.panels[0].datasource.type).toBe(variable.query);
    expect(datasources.find((d) => d.type === variable.query)?.isDefault).toBe(true);
  });

  it('docker-compose mounts the build and provisioning where Grafana reads them', () => {
    const { providers } = parse(read('provisioning/dashboards/dashboards.yaml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const { volumes, environment } = compose.services.grafana;
    expect(volumes).toContain(`./dist:/var/lib/grafana/plugins/${pluginJson.id}`);
    expect(volumes).toContain('./provisioning:/etc/grafana/provisioning');
    expect(providers[0].options.path).toBe('/etc/grafana/provisioning/dashboards');
    expect(environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe(pluginJson.id);
  });
});
