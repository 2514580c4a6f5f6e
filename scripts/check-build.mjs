// `prestart` and the pre-hooks of the CLI scripts: makes sure dist/ exists without ever rebuilding it.
// - dist/ present: nothing is compiled (a running server's files are never replaced); a source newer than
//   the build only gets a warning, since `npm start` runs what `npm run build` made.
// - dist/ missing and the devDependencies installed (a fresh clone after `npm install`, the README quick
//   start): builds once.
// - dist/ missing without devDependencies (a production host): stops with what to run.
// Node built-ins only: it runs after `npm prune --omit=dev`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist/src/main.js');

if (!existsSync(main)) {
  if (!existsSync(join(root, 'node_modules/@nestjs/cli'))) {
    process.stderr.write(
      'dist/ is missing and the build tools (devDependencies) are not installed.\n' +
        'Build first: npm ci && npm run build (then npm prune --omit=dev for production).\n',
    );
    process.exit(1);
  }
  process.stderr.write('dist/ is missing: building once (npm run build)\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(build.status ?? 1);
}

// Newest source file against the build: a warning only.
const built = statSync(main).mtimeMs;
const newer = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).find(
  (f) =>
    f.endsWith('.ts') && !f.endsWith('.spec.ts') && statSync(join(root, 'src', f)).mtimeMs > built,
);
if (newer) {
  process.stderr.write(
    `warning: src/${newer} is newer than dist/: running the previous build (npm run build to update, ` +
      'npm run start:dev to rebuild on every change)\n',
  );
}
