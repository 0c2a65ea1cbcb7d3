/*
 * Generated-style base config (see ../README.md): extend it from the plugin's root files, do not edit it.
 *
 * Modules Grafana hands to plugins at run time through its SystemJS loader
 * (public/app/features/plugins/loader/sharedDependencies.ts in Grafana). The plugin must not bundle
 * them: React in particular exists once per page, and Grafana before 13.2.0 runs React 18, from
 * 13.2.0 React 19. The list is @grafana/create-plugin's externals plus the JSX runtime, which
 * Grafana provides since 12.3.0 (create-plugin's React 19 migration guide: externalising it makes
 * a plugin require Grafana >= 12.3.0, hence plugin.json's grafanaDependency).
 */
export const GRAFANA_PROVIDED = [
  'lodash',
  'jquery',
  'moment',
  'slate',
  'emotion',
  '@emotion/react',
  '@emotion/css',
  'prismjs',
  'slate-plain-serializer',
  '@grafana/slate-react',
  'react',
  'react-dom',
  'react-redux',
  'redux',
  'rxjs',
  'i18next',
  'react-router',
  'd3',
  '@grafana/ui',
  '@grafana/runtime',
  '@grafana/data',
  // since Grafana 12.3.0: a bundled JSX runtime would create elements for the React it was built
  // with ("Objects are not valid as a React child" when a React 19 runtime meets React 18)
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
] as const;

/** Whether the bundler leaves an import to Grafana (create-plugin also treats @grafana/* subpaths so). */
export function isProvidedByGrafana(id: string): boolean {
  return (GRAFANA_PROVIDED as readonly string[]).includes(id) || /^@grafana\/(ui|runtime|data)\//.test(id);
}
