import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The compiled sources the CLI entry points run: `src/` without specs, and `ormconfig.ts`. */
function buildSources(): string[] {
  const src = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => join('src', f));
  return [...src, 'ormconfig.ts'];
}

const mtime = (path: string): number | undefined => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Sources whose compiled file in `dist/` is missing or older than the source. */
export function staleBuildSources(): string[] {
  return buildSources().filter((file) => {
    const built = mtime(join(ROOT, 'dist', file.replace(/\.ts$/, '.js')));
    return built === undefined || built < mtime(join(ROOT, file))!;
  });
}

/**
 * The compiled build the CLI entry points run from, `dist/` as `npm run build` makes it. CI builds before
 * testing, so this is usually just a check; when a source is newer than its output (or `dist/` is
 * missing) it compiles once with `tsc` — in place, without `nest build`'s emptying of `dist/` first, so a
 * server running from `dist/` meanwhile keeps its files.
 */
export function ensureBuilt(): string {
  if (staleBuildSources().length > 0) {
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  }
  return join(ROOT, 'dist');
}
