// `npm run build -w exporter` (also run by `prepare`, so `npm ci` and `npm pack` build):
// compile src/ to dist/ with tsc, then write the landing page's static files to dist/static/.
// Plain JavaScript so the build needs no TypeScript runner.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const exporter = fileURLToPath(new URL('..', import.meta.url));
const final = new URL('../dist/', import.meta.url);
// built whole into a fresh directory, then swapped in: files of deleted or renamed sources never
// linger, and a build that fails (or one running meanwhile) leaves the last good dist/ in place
const dist = new URL(`../dist.build-${process.pid}/`, import.meta.url);
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', fileURLToPath(dist)], {
  cwd: exporter,
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  process.exit(compiled.status ?? 1);
}

// runtime files tsc does not emit: the KEDA external scaler's contract
copyFileSync(
  new URL('../src/scaler/externalscaler.proto', import.meta.url),
  new URL('scaler/externalscaler.proto', dist),
);

const { buildLandingAssets } = await import(new URL('view/browser/assets.js', dist).href);
const staticDir = new URL('static/', dist);
mkdirSync(staticDir, { recursive: true });
for (const [name, body] of Object.entries(await buildLandingAssets())) writeFileSync(new URL(name, staticDir), body);
// what cloudpulse_build_info reports (the image build may set CLOUDPULSE_REVISION/BRANCH instead)
const git = (...args) => {
  const r = spawnSync('git', args, { cwd: exporter, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
writeFileSync(
  new URL('build-info.json', dist),
  JSON.stringify({
    revision: git('rev-parse', 'HEAD') ?? 'unknown',
    branch: git('rev-parse', '--abbrev-ref', 'HEAD') ?? 'unknown',
  }),
);
rmSync(final, { recursive: true, force: true });
renameSync(dist, final);
console.log(`built ${fileURLToPath(final)}`);
