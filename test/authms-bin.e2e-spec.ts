import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './helpers/dist.js';
import { createTestDatabase, TEST_DB_TYPE } from './helpers/test-app.js';

const TEST_KEY = 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=';
/**
 * Time limit of a test that runs commands: they run at once with the other tests of their block, and on
 * a loaded 2-core machine each Node process takes seconds to start (a limit, not a measurement).
 */
const SPAWNS = 180_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/authms.js` (the package's `bin`) as an operator would, from the built code. */
function authms(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/authms.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// Issue 9 "Production install": the operator's commands run from dist/ through one `authms` binary.
// The tests run at once (`concurrent`): they mostly wait for the commands they start, and the two that
// write have a database each (`env` for the migrations, `operated` for user:create and keys:rotate).
describe(`the authms command (${TEST_DB_TYPE})`, { concurrent: true }, () => {
  let env: Record<string, string>;
  let operated: Record<string, string>;
  const drops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    ensureBuilt();
    const base = { NODE_ENV: 'test', KEYS_ENCRYPTION_KEY: TEST_KEY };
    const db = await createTestDatabase();
    const other = await createTestDatabase();
    drops.push(db.drop, other.drop);
    env = { ...base, ...db.env };
    operated = { ...base, ...other.env };
  }, 240_000);
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it(
    'lists its commands with --help (exit 0); no command or an unknown one exits 2 with the list',
    async () => {
      const help = await authms(['--help'], env);
      expect(help.code).toBe(0);
      for (const name of [
        'start',
        'migrate',
        'user:create',
        'keys:rotate',
        'keys:reencrypt',
        'client:resources',
        'client:create',
      ]) {
        expect(help.stdout).toContain(`  ${name} `);
      }
      const none = await authms([], env);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/^Usage: authms <command>/);
      const unknown = await authms(['frobnicate'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    },
    SPAWNS,
  );

  it(
    'migrates a new database once, then reports nothing pending; bad options exit 2',
    async () => {
      const first = await authms(['migrate'], env);
      expect(first.stderr).toMatch(/^\d+ migrations run\n$/);
      expect(first.code).toBe(0);
      expect(first.stdout.trim().split('\n').length).toBeGreaterThan(3);
      const again = await authms(['migrate'], env);
      expect(again).toMatchObject({ code: 0, stdout: '', stderr: 'no pending migrations\n' });
      const bad = await authms(['migrate', '--bogus'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/Usage: authms migrate/);
    },
    SPAWNS,
  );

  it(
    'runs the subcommands with their own arguments: user:create, then keys:rotate',
    async () => {
      const user = await authms(
        ['user:create', '--username', 'operator'],
        operated,
        'a-long-password\n',
      );
      expect(user.stderr).toBe('');
      expect(user).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^usr_\w{26}\n$/) as unknown,
      });
      const rotated = await authms(['keys:rotate', '--alg', 'ES256'], operated);
      expect(rotated).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^ES256 [\w-]{43}\n$/) as unknown,
      });
    },
    SPAWNS,
  );

  it(
    'refuses a bad setting with its message and exit 1, no stack trace',
    async () => {
      const bad = await authms(['migrate'], { ...env, DB_TYPE: 'oracle' });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/DB_TYPE/);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    },
    SPAWNS,
  );
});

/**
 * Bare package names a file loads at runtime (`from 'x'`, `import 'x'`, `import('x')` with a literal);
 * `import type` statements are erased by the compiler and skipped.
 */
function importedPackages(source: string): string[] {
  const names = new Set<string>();
  const runtime = source.replace(/^\s*(?:import|export)\s+type\b[^;]*;/gm, '');
  for (const m of runtime.matchAll(
    /^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm,
  )) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.') || spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return [...names];
}

// `npm prune --omit=dev` removes the devDependencies: nothing the server, the CLI or the migrations load
// may be one of them (pino-pretty is loaded by a variable name, only in development, when present).
describe('runtime dependencies', () => {
  it('imports at runtime only dependencies and Node built-ins', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const files = [
      ...readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
        .map((f) => join('src', f)),
      'ormconfig.ts',
      'bin/authms.js',
      'scripts/check-build.mjs',
    ];
    const offending: string[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      for (const name of importedPackages(readFileSync(join(ROOT, file), 'utf8'))) {
        seen.add(name);
        if (builtinModules.includes(name) || name in pkg.dependencies) continue;
        offending.push(
          `${file}: ${name}${name in pkg.devDependencies ? ' (a devDependency)' : ''}`,
        );
      }
    }
    expect(offending).toEqual([]);
    expect([...seen]).toEqual(
      expect.arrayContaining([
        '@nestjs/core',
        'typeorm',
        'mysql2',
        'pino',
        'prom-client',
        'express',
      ]),
    );
    // The detector itself finds both kinds of import.
    expect(
      importedPackages(
        `import a from 'x';\nimport 'y/z';\nawait import('@s/p/q');\nimport type { T } from 'w';\n// a comment quoting from 'v'`,
      ),
    ).toEqual(['x', 'y', '@s/p']);
  });
});
