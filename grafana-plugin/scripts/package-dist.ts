/**
 * After `vite build`: copy plugin.json (with version and date filled in), README, CHANGELOG and
 * images into dist/ (create-plugin's webpack config does this with its copy plugin), check that
 * Grafana can load the result, then zip dist/ as <plugin id>/, the layout
 * `grafana cli plugins install --pluginUrl` and the plugin validator expect.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GRAFANA_PROVIDED } from '../.config/bundler/externals.ts';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const pluginJson = readFileSync(join(root, 'src/plugin.json'), 'utf8')
  .replace('%VERSION%', version)
  .replace('%TODAY%', new Date().toISOString().slice(0, 10));
const { id } = JSON.parse(pluginJson) as { id: string };

if (!existsSync(join(dist, 'module.js'))) throw new Error(`${dist}/module.js is missing: run vite build first`);
writeFileSync(join(dist, 'plugin.json'), pluginJson);
copyFileSync(join(root, 'README.md'), join(dist, 'README.md'));
mkdirSync(join(dist, 'img'), { recursive: true });
copyFileSync(join(root, 'src/img/logo.svg'), join(dist, 'img/logo.svg'));
// the screenshot the browser test takes (docs/img/panel-dark.png), shown by README and the catalogue
copyFileSync(join(root, '../docs/img/panel-dark.png'), join(dist, 'img/screenshot.png'));
for (const optional of ['CHANGELOG.md', 'LICENSE']) {
  if (existsSync(join(root, optional))) copyFileSync(join(root, optional), join(dist, optional));
}

checkDist();

const zipName = `${id}-${version}.zip`;
const staging = join(root, '.zip-staging');
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging);
symlinkSync(dist, join(staging, id));
rmSync(join(root, zipName), { force: true });
try {
  execFileSync('zip', ['-qr', join(root, zipName), id, '-x', '*.map'], { cwd: staging, stdio: 'inherit' });
} catch (error) {
  throw new Error(`zip failed (install the Debian package zip if it is missing): ${(error as Error).message}`, {
    cause: error,
  });
} finally {
  rmSync(staging, { recursive: true, force: true });
}
console.log(`dist/ ready; ${zipName} written`);

/** What Grafana needs to load the plugin, checked here since the official validator needs network access. */
function checkDist(): void {
  const built = JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8')) as {
    id: string;
    type: string;
    info: { version: string; logos: Record<string, string>; screenshots: Array<{ path: string }> };
    dependencies: { grafanaDependency?: string };
  };
  const problems: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*-panel$/.test(built.id)) problems.push(`id ${built.id} is not <org>-<name>-panel`);
  if (built.info.version !== version) problems.push(`info.version ${built.info.version} is not ${version}`);
  if (!built.dependencies.grafanaDependency) problems.push('dependencies.grafanaDependency is missing');
  for (const path of [...Object.values(built.info.logos), ...built.info.screenshots.map((s) => s.path)]) {
    if (!existsSync(join(dist, path))) problems.push(`${path} (named in plugin.json) is missing from dist/`);
  }
  const module = readFileSync(join(dist, 'module.js'), 'utf8');
  if (!/define\.amd/.test(module)) problems.push("module.js has no AMD branch for Grafana's loader");
  if (/jsx-dev-runtime/.test(module)) problems.push('module.js uses the development JSX runtime');
  const amd = /define\(\[([^\]]*)\]/.exec(module);
  const deps = amd ? [...amd[1].matchAll(/[`'"]([^`'"]+)[`'"]/g)].map((m) => m[1]) : [];
  const provided = new Set<string>(['exports', 'require', 'module', ...GRAFANA_PROVIDED]);
  for (const dep of deps)
    if (!provided.has(dep)) problems.push(`module.js needs ${dep}, which Grafana does not provide`);
  // React's element tags: a bundled JSX runtime (or React) makes elements for one React major only
  if (/react\.(transitional\.)?element/.test(module)) problems.push('module.js bundles a React JSX runtime');
  if (problems.length) throw new Error(`dist/ is not a loadable plugin:\n- ${problems.join('\n- ')}`);
}
