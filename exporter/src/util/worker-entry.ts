/**
 * Starting a worker thread on one of the exporter's own modules, the same way from TypeScript
 * sources (vitest, tsx) and from the compiled build (dist/, what `cloudpulse` and the image run).
 *
 * Usage, from any module of the exporter:
 *
 *   const worker = spawnModuleWorker(new URL('./fit-worker.js', import.meta.url));
 *
 * Name the worker module with its `.js` specifier, exactly as an import of it would be written.
 * From dist/ that file exists and the worker runs it directly: no loader, no compiler, nothing
 * written to disk (the image runs with a read-only root filesystem and no tsx installed). From
 * sources this module is itself a `.ts` file: the worker then registers tsx's loader inside its
 * own thread (loader hooks do not cross into workers) and imports the `.ts` module beside the
 * `.js` name. tsx is a devDependency, so that path exists only in a checkout.
 *
 * A new worker module needs nothing else: tsconfig.build.json compiles every file under src/
 * that is not a test, so `<name>.js` lands beside its caller in dist/.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** true when this file runs as TypeScript (vitest, tsx), false when compiled to dist/ */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The `.ts` source file behind a `.js` module URL (the NodeNext import convention). */
export function sourceUrl(moduleUrl: URL): URL {
  if (!moduleUrl.pathname.endsWith('.js')) {
    throw new Error(`worker module must be named by its .js specifier, got ${moduleUrl.href}`);
  }
  return new URL(moduleUrl.href.replace(/\.js$/, '.ts'));
}

/**
 * A worker thread running `moduleUrl` (a `file:` URL ending in `.js`), compiled or from sources
 * as this process runs. `options` are passed to `new Worker` (workerData, resourceLimits, ...);
 * `eval` is the helper's own business.
 */
export function spawnModuleWorker(moduleUrl: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!FROM_SOURCES) return new Worker(moduleUrl, options);
  // resolved here, in the parent, so the worker does not depend on its working directory
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = [
    `import(${JSON.stringify(tsxApi)})`,
    `  .then((tsx) => tsx.register())`,
    `  .then(() => import(${JSON.stringify(sourceUrl(moduleUrl).href)}));`,
  ].join('\n');
  return new Worker(bootstrap, { ...options, eval: true });
}
