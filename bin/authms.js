#!/usr/bin/env node
// The `authms` command (package.json "bin"): runs the built code in dist/, which `npm run build` makes.
// A production host runs it after `npm prune --omit=dev` (docs/operations.md).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from './server-node-flags.js';

const entry = new URL('../dist/src/cli/authms.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'authms: dist/ is missing: run `npm run build` first (needs the devDependencies)\n',
  );
  process.exit(1);
}
if (process.argv[2] === 'start') {
  // The server runs in its own node process with the server's flags (heap sizing, ADR 0135), as
  // `npm start` runs it; this process only passes signals on and exits as the server did. Its own
  // process group (POSIX; on Windows a detached child would get a console of its own), so that Ctrl-C
  // reaches it once (through here), not twice (a second SIGINT is not a graceful shutdown).
  const main = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
  const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, main], {
    stdio: 'inherit',
    detached: process.platform !== 'win32',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => server.kill(signal));
  }
  server.on('error', (e) => {
    process.stderr.write(`authms start: ${e.message}\n`);
    process.exit(1);
  });
  // A server ended by a signal exits 128 + its number, as a shell reports it.
  server.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
} else {
  await import(entry.href);
}
