#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ into dist/ by `npm ci` (the `prepare` script) or `npm run build`
// in a checkout; an installed package has dist/ inside its tarball (`npm pack` builds it), no build runs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'xpipe: the CLI is not built yet (dist/ is missing). Run `npm run build` in the xpipe checkout, then try again.\n',
  );
  process.exit(2);
}
await import(entry.href);
