#!/usr/bin/env node
// The `authms` command (package.json "bin"): runs the built code in dist/, which `npm run build` makes.
// A production host runs it after `npm prune --omit=dev` (docs/operations.md).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/authms.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'authms: dist/ is missing: run `npm run build` first (needs the devDependencies)\n',
  );
  process.exit(1);
}
await import(entry.href);
