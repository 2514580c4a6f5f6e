// ESLint rule `authms/module-boundaries` (docs/architecture.md "Module boundaries", ADR 0028).
//
// Every folder directly under src/ is a module. Code in one module, and code outside all modules
// (src/*.ts, test/, examples/, ormconfig.ts), reaches another module only through that module's
// `index.ts`. `src/common/` is the shared library: any file of it may be imported from anywhere, and it
// imports no module itself.
//
// Why a rule of our own rather than `no-restricted-imports`: that rule matches the import string, not the
// file it names, so `../database/x.js` cannot be told apart when written in `src/common/http/` (common's
// own `database/` folder) and in `src/token/` (the database module). This rule resolves each relative
// specifier against the importing file and compares folders, at any depth.
import path from 'node:path';

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'modules import each other only through their index.ts' },
    schema: [
      {
        type: 'object',
        properties: {
          // The folder whose sub-folders are the modules, relative to the ESLint working directory.
          srcDir: { type: 'string' },
          // Sub-folders of src/ that are libraries importable file by file (no index).
          shared: { type: 'array', items: { type: 'string' } },
          // Folders inside a module that code outside the modules may reach as well (tests: entities/).
          allowInternal: { type: 'array', items: { type: 'string' } },
          // Modules only the composition may import (src/*.ts, the listed modules, code outside src/):
          // `{ config: ['cli'] }` keeps the application's settings out of every feature module.
          compositionOnly: {
            type: 'object',
            additionalProperties: { type: 'array', items: { type: 'string' } },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      deep: "'{{spec}}' reaches into module '{{target}}': import it from 'src/{{target}}/index.ts' (its public surface).",
      compositionOnly:
        "'{{spec}}': module '{{target}}' is read by the composition only (src/*.ts{{others}}); give module '{{source}}' its own options instead (ADR 0021).",
      sharedImportsModule:
        "'{{spec}}': src/{{source}}/ is a shared library and imports no module (here '{{target}}').",
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const srcDir = path.resolve(context.cwd, options.srcDir ?? 'src');
    const shared = new Set(options.shared ?? ['common']);
    const allowInternal = new Set(options.allowInternal ?? []);
    const compositionOnly = options.compositionOnly ?? {};
    const filename = path.resolve(context.filename);

    /** The module folder a path lies in under src/, or null for src/*.ts and everything outside src/. */
    function moduleOf(file) {
      const rel = path.relative(srcDir, file);
      if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
      const parts = rel.split(path.sep);
      return parts.length > 1 ? parts[0] : null;
    }

    const source = moduleOf(filename);

    function check(node, spec) {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const resolved = path.resolve(path.dirname(filename), spec);
      const target = moduleOf(resolved);
      if (target === null || target === source) return;
      if (source !== null && shared.has(source)) {
        context.report({ node, messageId: 'sharedImportsModule', data: { spec, source, target } });
        return;
      }
      if (shared.has(target)) return;
      const composers = compositionOnly[target];
      if (composers && source !== null && !composers.includes(source)) {
        const others = composers.map((m) => `, src/${m}/`).join('');
        context.report({
          node,
          messageId: 'compositionOnly',
          data: { spec, target, source, others },
        });
        return;
      }
      const inside = path.relative(path.join(srcDir, target), resolved).split(path.sep);
      if (inside.length === 1 && /^index(\.[cm]?[jt]s)?$/.test(inside[0])) return;
      if (source === null && inside.length > 1 && allowInternal.has(inside[0])) return;
      context.report({ node, messageId: 'deep', data: { spec, target } });
    }

    const fromSource = (node) => {
      if (node.source) check(node.source, node.source.value);
    };
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node.source, node.source.value);
      },
      TSImportType(node) {
        // `import('../x.js').T` in a type position.
        const arg = node.argument?.literal ?? node.argument;
        if (arg?.type === 'Literal') check(arg, arg.value);
      },
    };
  },
};
