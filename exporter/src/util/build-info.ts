/**
 * What `cloudpulse_build_info` and `cloudpulse version` report. The revision and branch come from
 * the environment (CLOUDPULSE_REVISION / CLOUDPULSE_BRANCH, set by the image build) or from
 * build-info.json written next to the compiled code by `npm run build`; "unknown" otherwise.
 */
import { readFileSync } from 'node:fs';
import { VERSION } from '../version.js';

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
}

let cached: BuildInfo | undefined;

export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  if (cached) return cached;
  let file: Partial<BuildInfo> = {};
  try {
    file = JSON.parse(readFileSync(new URL('../build-info.json', import.meta.url), 'utf8')) as Partial<BuildInfo>;
  } catch {
    // running from sources, or built without git: fall through to "unknown"
  }
  cached = {
    version: VERSION,
    revision: env.CLOUDPULSE_REVISION || file.revision || 'unknown',
    branch: env.CLOUDPULSE_BRANCH || file.branch || 'unknown',
  };
  return cached;
}
