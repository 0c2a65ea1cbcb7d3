/**
 * The landing page's static files, made at build time: the page script bundled by esbuild from
 * landing-client.ts (the same band and fan code as the Grafana panel) and uPlot's own files.
 * `npm run build` writes them to dist/static/ (exporter/scripts/build.mjs), which the compiled
 * exporter serves; run from TypeScript sources (tests, tsx) the landing route calls this directly.
 * esbuild and uplot are devDependencies: nothing here runs in a production install.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** every file of the landing page besides the HTML */
export type LandingAssetName = 'landing.js' | 'uPlot.iife.min.js' | 'uPlot.min.css';

/** the source, from src/view/browser/ and from its compiled twin in dist/view/browser/ alike */
const CLIENT_ENTRY = new URL('../../../src/view/browser/landing-client.ts', import.meta.url);

export async function buildLandingAssets(): Promise<Record<LandingAssetName, Buffer>> {
  const bundle = await build({
    entryPoints: [fileURLToPath(CLIENT_ENTRY)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'silent',
  });
  const require = createRequire(import.meta.url);
  const uplot = (file: string) => readFile(require.resolve(`uplot/dist/${file}`));
  return {
    'landing.js': Buffer.from(bundle.outputFiles[0].contents),
    'uPlot.iife.min.js': await uplot('uPlot.iife.min.js'),
    'uPlot.min.css': await uplot('uPlot.min.css'),
  };
}
