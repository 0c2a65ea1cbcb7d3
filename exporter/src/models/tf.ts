/**
 * TensorFlow.js backend selection, once per process (or worker thread):
 *   1. `@tensorflow/tfjs-node` (native libtensorflow) when it can be imported — an optional peer
 *      dependency, because its install script downloads libtensorflow;
 *   2. else `@tensorflow/tfjs` on the `@tensorflow/tfjs-backend-wasm` backend, its `.wasm` files
 *      read from the installed package on disk (no network);
 *   3. else the pure-JS `cpu` backend.
 * The active backend is reported through the injected `log` function.
 *
 * TensorFlow.js is an optional peer dependency of the exporter (about 290 MB installed, most of
 * a production install): only the lstm model and detector need it, and it is imported only when
 * they train. `tfjsMissing()` lets the config check refuse them at start when it is absent.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedTf {
  tf: Tf;
  backend: TfBackendName;
}

export interface LoadTfOptions {
  /** try backends in this order (default: tensorflow, wasm, cpu) */
  prefer?: TfBackendName[];
  log?: (message: string) => void;
}

const NODE_PACKAGE = '@tensorflow/tfjs-node';
const require = createRequire(import.meta.url);
let loading: Promise<LoadedTf> | undefined;

/** What to run where the exporter is installed to enable lstm (matches peerDependencies). */
export const TFJS_INSTALL = 'npm install @tensorflow/tfjs@4 @tensorflow/tfjs-backend-wasm@4';

/** Why TensorFlow.js cannot be loaded in this installation, or undefined when it can. */
export function tfjsMissing(): string | undefined {
  for (const specifier of ['@tensorflow/tfjs', NODE_PACKAGE]) {
    try {
      require.resolve(specifier);
      return undefined;
    } catch {
      // not installed; try the next
    }
  }
  return (
    `needs TensorFlow.js, an optional dependency that is not installed: run \`${TFJS_INSTALL}\` ` +
    'where the exporter is installed (container image: build it with --build-arg WITH_TFJS=true)'
  );
}

async function tryNode(): Promise<LoadedTf | undefined> {
  try {
    // a variable specifier keeps TypeScript from requiring the optional package at compile time
    const specifier = NODE_PACKAGE;
    const tf = (await import(specifier)) as Tf;
    await tf.setBackend('tensorflow');
    await tf.ready();
    return { tf, backend: 'tensorflow' };
  } catch {
    return undefined;
  }
}

async function tryWasm(): Promise<LoadedTf | undefined> {
  try {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // the package's main file sits in dist/ beside its .wasm binaries
    const folder = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(join(folder, '/'));
    if (!(await tf.setBackend('wasm'))) return undefined;
    await tf.ready();
    return { tf, backend: 'wasm' };
  } catch {
    return undefined;
  }
}

async function tryCpu(): Promise<LoadedTf | undefined> {
  const tf = await import('@tensorflow/tfjs');
  if (!(await tf.setBackend('cpu'))) return undefined;
  await tf.ready();
  return { tf, backend: 'cpu' };
}

const LOADERS: Record<TfBackendName, () => Promise<LoadedTf | undefined>> = {
  tensorflow: tryNode,
  wasm: tryWasm,
  cpu: tryCpu,
};

async function select(options: LoadTfOptions): Promise<LoadedTf> {
  const missing = tfjsMissing();
  if (missing) throw new Error(`the lstm model ${missing}`);
  const order = options.prefer ?? ['tensorflow', 'wasm', 'cpu'];
  const skipped: string[] = [];
  for (const name of order) {
    const loaded = await LOADERS[name]();
    if (loaded) {
      const note = skipped.length > 0 ? ` (${skipped.join(', ')} unavailable)` : '';
      options.log?.(`tensorflow.js backend: ${loaded.backend}${note}`);
      return loaded;
    }
    skipped.push(name);
  }
  throw new Error(`no TensorFlow.js backend could be initialised (tried ${order.join(', ')})`);
}

/** The process-wide TensorFlow.js with the best available backend; selection runs once. */
export function loadTf(options: LoadTfOptions = {}): Promise<LoadedTf> {
  loading ??= select(options);
  return loading;
}
