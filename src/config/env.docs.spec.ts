import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config.js';
import {
  documentedVariables,
  generatedBlock,
  renderConfigurationTable,
  withTable,
} from './configuration-table.js';
import { ENV_DOCS } from './env.docs.js';
import { SECRET_VARIABLES } from './env.validation.js';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/configuration.md and .env.example follow the environment schema', () => {
  it('the committed table is the one the schema generates (run `npm run docs:config` after a change)', () => {
    const committed = generatedBlock(repoFile('docs/configuration.md'));
    expect(committed, 'docs/configuration.md lost its generated-table markers').toBeDefined();
    expect(committed, 'docs/configuration.md is stale: run `npm run docs:config`').toBe(
      renderConfigurationTable(),
    );
  });

  it('documents every schema property once, with a description and a default', () => {
    const vars = documentedVariables();
    expect(vars.map((v) => v.name).sort()).toEqual(Object.keys(ENV_DOCS).sort());
    for (const v of vars) {
      expect(v.description.trim(), v.name).not.toBe('');
      expect(v.default !== undefined || v.defaultText !== undefined, `${v.name} default`).toBe(
        true,
      );
    }
  });

  it('flags exactly the variables that error messages redact as secret', () => {
    const secret = documentedVariables().filter((v) => v.secret);
    expect(secret.map((v) => v.name).sort()).toEqual([...SECRET_VARIABLES].sort());
  });

  it.each(Object.entries(ENV_DOCS).filter(([, d]) => d.default !== undefined))(
    'setting %s to its documented default changes nothing',
    (name, doc) => {
      expect(loadConfig({ [name]: doc.default })).toEqual(loadConfig({}));
    },
  );

  it('lists every variable in .env.example and nothing else', () => {
    const listed = repoFile('.env.example')
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect([...listed].sort()).toEqual(Object.keys(ENV_DOCS).sort());
  });

  it('replaces only the generated block', () => {
    const table = renderConfigurationTable();
    const doc = `# Title\n\nbefore\n\n${table.replace(/\| `PORT`.*\n/, '')}\n\nafter\n`;
    expect(withTable(doc, table)).toBe(`# Title\n\nbefore\n\n${table}\n\nafter\n`);
    expect(() => withTable('# no markers\n', table)).toThrow(/markers/);
  });
});
