/**
 * The built-in pages' static files, made at build time: each page's script bundled by esbuild
 * from its client (landing-client.ts, series-client.ts: the same band and fan code as the Grafana
 * panel) and uPlot's own files.
 * `npm run build` writes them to dist/static/ (exporter/scripts/build.mjs), which the compiled
 * exporter serves; run from TypeScript sources (tests, tsx) the landing route calls this directly.
 * esbuild and uplot are devDependencies: nothing here runs in a production install.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** every file of the built-in pages besides the HTML */
export type LandingAssetName = 'landing.js' | 'series.js' | 'uPlot.iife.min.js' | 'uPlot.min.css';

/** the sources, from src/view/browser/ and from their compiled twins in dist/view/browser/ alike */
const clientEntry = (name: string) => fileURLToPath(new URL(`../../../src/view/browser/${name}`, import.meta.url));

async function bundle(entry: string): Promise<Buffer> {
  const built = await build({
    entryPoints: [clientEntry(entry)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'silent',
  });
  return Buffer.from(built.outputFiles[0].contents);
}

export async function buildLandingAssets(): Promise<Record<LandingAssetName, Buffer>> {
  const require = createRequire(import.meta.url);
  const uplot = (file: string) => readFile(require.resolve(`uplot/dist/${file}`));
  return {
    'landing.js': await bundle('landing-client.ts'),
    'series.js': await bundle('series-client.ts'),
    'uPlot.iife.min.js': await uplot('uPlot.iife.min.js'),
    'uPlot.min.css': await uplot('uPlot.min.css'),
  };
}
