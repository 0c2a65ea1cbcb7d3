/**
 * Renders Helm charts with test/helm-render, a small renderer built from Helm's template engine
 * pieces (Go text/template, sprig, sigs.k8s.io/yaml) because helm itself is not packaged here.
 * It is built offline in GOPATH mode against Debian's Go packages, once per source and Go version:
 * the binary is kept in the temp dir under a hash of both, so later runs start at once.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { findBinary } from '../helpers/processes.js';
import { repoPath } from './cloudpulse-repo.js';

const run = promisify(execFile);
const GOPATH = '/usr/share/gocode';
/** the Debian packages that put each Go dependency under GOPATH */
const GO_PACKAGES: Record<string, string> = {
  'github.com/Masterminds/sprig': 'golang-github-masterminds-sprig-dev',
  'sigs.k8s.io/yaml': 'golang-k8s-sigs-yaml-dev',
};

let built: Promise<string> | undefined;

async function build(): Promise<string> {
  const go = findBinary('go');
  for (const [path, pkg] of Object.entries(GO_PACKAGES)) {
    if (!existsSync(join(GOPATH, 'src', path))) {
      throw new Error(
        `${path} not found under ${GOPATH}: install the Debian package \`${pkg}\` (apt-get install ${pkg})`,
      );
    }
  }
  const source = repoPath('test/helm-render/main.go');
  const version = (await run(go, ['version'])).stdout;
  const hash = createHash('sha256').update(readFileSync(source)).update(version).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `cloudpulse-helm-render-${hash}`);
  const bin = join(dir, 'helm-render');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const partial = `${bin}.${process.pid}`;
  const env: NodeJS.ProcessEnv = { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', CGO_ENABLED: '0' };
  if (!process.env.GOCACHE && !process.env.HOME) env.GOCACHE = join(tmpdir(), 'cloudpulse-go-build-cache');
  await run(go, ['build', '-o', partial, '.'], { env, cwd: repoPath('test/helm-render') }).catch(
    (e: { stderr?: string }) => {
      throw new Error(`go build test/helm-render failed:\n${e.stderr ?? e}`);
    },
  );
  renameSync(partial, bin);
  return bin;
}

export interface RenderedObject {
  /** the template it came from, e.g. cloudpulse/templates/deployment.yaml */
  source: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests of many kinds, read by path
  value: Record<string, any>;
}

export type RenderResult = { ok: true; objects: RenderedObject[]; text: string } | { ok: false; error: string };

/** `helm template` of `chart` (a path under the repo) with `values` laid over its values.yaml. */
export async function renderChart(
  chart: string,
  values: object = {},
  release = { name: 'cloudpulse', namespace: 'monitoring' },
): Promise<RenderResult> {
  built ??= build();
  const bin = await built;
  const file = join(tmpdir(), `cloudpulse-values-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(values));
  const args = ['-chart', repoPath(chart), '-f', file, '-name', release.name, '-namespace', release.namespace];
  try {
    const { stdout } = await run(bin, args);
    // the renderer writes "---\n# Source: <template>\n" before each template's output, as helm does
    const parts = stdout.split(/^---\n# Source: (\S+)\n/m).slice(1);
    const objects: RenderedObject[] = [];
    for (let i = 0; i < parts.length; i += 2) {
      const source = parts[i];
      for (const doc of parseAllDocuments(parts[i + 1])) {
        if (doc.errors.length > 0) throw new Error(`${source}: rendered YAML does not parse: ${doc.errors[0].message}`);
        const value = doc.toJS();
        if (value) objects.push({ source, value });
      }
    }
    return { ok: true, objects, text: stdout };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    if (e.stderr === undefined) throw err;
    return { ok: false, error: e.stderr.trim() };
  } finally {
    rmSync(file, { force: true });
  }
}
