import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

// The module boundary (docs/architecture.md "Module boundaries", ADR 0028): modules import each other only
// through their index.ts, src/common/ imports no module, and the modules' runtime imports form no cycle.
// These tests lint fixture sources through the project's own ESLint configuration, so the rule cannot be
// dropped from eslint.config.mjs, or stop matching, without a test failing.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RULE = 'authms/module-boundaries';

/** The project's ESLint configuration, running only the boundary rule (no type information needed). */
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    ruleFilter: ({ ruleId }) => ruleId === RULE,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  });
});

/** The boundary messages ESLint reports for `code` as if it were the file at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal).toEqual([]);
  return result.messages.filter((m) => m.ruleId === RULE && m.severity === 2).map((m) => m.message);
}

describe('module boundary lint rule', () => {
  it('is an error for every file `npm run lint` checks', async () => {
    const linted = new ESLint({ cwd: ROOT });
    for (const file of [
      'src/token/token.module.ts',
      'src/token/dto/oauth-token-response.dto.ts',
      'src/common/errors/oauth-error.ts',
      'src/app.module.ts',
      'test/token-code.e2e-spec.ts',
      'examples/audit-extension/audited-app.module.ts',
      'ormconfig.ts',
    ]) {
      const config = (await linted.calculateConfigForFile(join(ROOT, file))) as {
        rules: Record<string, unknown[]>;
      };
      expect(config.rules[RULE]?.[0], file).toBe(2);
    }
  });

  it("refuses a deep import into another module, from a module's file at any depth", async () => {
    expect(
      await boundaryErrors(
        'src/token/x.ts',
        "import { A } from '../authorize/authorization-flow.service.js';\nexport { A };\n",
      ),
    ).toEqual([expect.stringContaining("reaches into module 'authorize'")]);
    expect(
      await boundaryErrors(
        'src/token/dto/x.ts',
        "import type { E } from '../../authorize/entities/consent.entity.js';\nexport type { E };\n",
      ),
    ).toHaveLength(1);
    // Re-exports and dynamic imports are imports too.
    expect(
      await boundaryErrors(
        'src/admin/clients/x.ts',
        "export * from '../../token/token.options.js';\nexport const m = () => import('../../users/users.service.js');\n",
      ),
    ).toHaveLength(2);
  });

  it("allows another module's index.ts, the module's own files and src/common/ files", async () => {
    expect(
      await boundaryErrors(
        'src/token/dto/x.ts',
        [
          "import { AuthorizeModule } from '../../authorize/index.js';",
          "import { TOKEN_SETTINGS } from '../token.constants.js';",
          "import { E } from '../entities/access-token.entity.js';",
          "import { OAuthError } from '../../common/errors/oauth-error.js';",
          'export { AuthorizeModule, TOKEN_SETTINGS, E, OAuthError };',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('keeps src/common/ free of module imports, even through an index.ts', async () => {
    expect(
      await boundaryErrors(
        'src/common/http/x.ts',
        "import { AppConfig } from '../../config/index.js';\nexport { AppConfig };\n",
      ),
    ).toEqual([expect.stringContaining('shared library and imports no module')]);
    // common/database/ is common's own folder, not the database module.
    expect(
      await boundaryErrors(
        'src/common/http/x.ts',
        "import { c } from '../database/columns.js';\nexport { c };\n",
      ),
    ).toEqual([]);
  });

  it("keeps the application's settings (config/) out of every module but the CLI (ADR 0021)", async () => {
    const settings = "import { AppConfig } from '../config/index.js';\nexport { AppConfig };\n";
    expect(await boundaryErrors('src/keys/x.ts', settings)).toEqual([
      expect.stringContaining("give module 'keys' its own options"),
    ]);
    expect(await boundaryErrors('src/cli/x.ts', settings)).toEqual([]);
    expect(
      await boundaryErrors('src/main.ts', settings.replace('../config/', './config/')),
    ).toEqual([]);
  });

  it('holds code outside the modules (src/*.ts, examples/, ormconfig.ts) to the indexes', async () => {
    const deep = "import { AppConfig } from './config/app-config.js';\nexport { AppConfig };\n";
    expect(await boundaryErrors('src/app.module.ts', deep)).toHaveLength(1);
    expect(
      await boundaryErrors(
        'examples/audit-extension/x.ts',
        "import { C } from '../../src/client-registration/clients.service.js';\nexport { C };\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'ormconfig.ts',
        "import { E } from './src/token/entities/access-token.entity.js';\nexport { E };\n",
      ),
    ).toHaveLength(1);
  });

  it("lets end-to-end tests read a module's entities and migrations, and nothing else inside it", async () => {
    expect(
      await boundaryErrors(
        'test/x.e2e-spec.ts',
        [
          "import { R } from '../src/token/entities/refresh-token.entity.js';",
          "import { M } from '../src/database/migrations/index.js';",
          "import { TokenModule } from '../src/token/index.js';",
          'export { R, M, TokenModule };',
        ].join('\n'),
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'test/x.e2e-spec.ts',
        "import { P } from '../src/token/token-purge.service.js';\nexport { P };\n",
      ),
    ).toEqual([expect.stringContaining("reaches into module 'token'")]);
  });
});

/** `.ts` files under `dir`, spec files left out (nothing imports them). */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => join(dir, f));
}

/**
 * The relative specifiers `file` imports at run time: `import type`, `export type` and imports whose
 * bindings are all types are erased by the compiler, so they cannot take part in a load-time cycle.
 */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specs: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const allTypes =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      if (!allTypes) specs.push(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specs.push(node.moduleSpecifier.text);
    }
  }
  return specs.filter((s) => s.startsWith('.'));
}

describe('module dependency graph', () => {
  it('has no cycle between modules (an ESM cycle leaves decorator metadata undefined at load time)', () => {
    const src = join(ROOT, 'src');
    const edges = new Map<string, Map<string, string>>();
    for (const file of sources(src)) {
      const from = relative(src, file).split(sep);
      if (from.length < 2) continue;
      for (const spec of runtimeImports(file)) {
        const to = relative(src, resolve(dirname(file), spec)).split(sep);
        if (to.length < 2 || to[0] === '..' || to[0] === from[0]) continue;
        const out = edges.get(from[0]) ?? new Map<string, string>();
        if (!out.has(to[0])) out.set(to[0], relative(ROOT, file));
        edges.set(from[0], out);
      }
    }
    // Depth-first search; a back edge is a cycle, reported with the file behind each step.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (m: string): void => {
      state.set(m, 'open');
      path.push(m);
      for (const [next, file] of edges.get(m) ?? []) {
        if (state.get(next) === 'open') {
          const loop = path.slice(path.indexOf(next));
          cycles.push(`${[...loop, next].join(' -> ')} (last step in ${file})`);
        } else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(m, 'done');
    };
    for (const m of [...edges.keys()].sort()) if (!state.has(m)) visit(m);
    expect(cycles).toEqual([]);
    // The graph was built at all: the token module depends on keys, users and client-registration.
    expect([...(edges.get('token')?.keys() ?? [])]).toEqual(
      expect.arrayContaining(['keys', 'users', 'client-registration']),
    );
  });
});
