#!/usr/bin/env node
// The `cloudpulse` command: runs the compiled exporter in dist/. In a checkout, `npm ci` builds it
// (the exporter's `prepare` script); published packages and the image ship it built.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    'cloudpulse: the exporter is not built (exporter/dist/ is missing).\n' +
      'In a checkout run `npm run build` (or `npm ci`, which builds it) at the repository root.\n',
  );
  process.exit(1);
}
await import(compiled.href);
