import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigurationTable, withTable } from '../config/index.js';

// Entry point of `npm run docs:config`: rewrites the generated table of docs/configuration.md from the
// environment schema. Runs from dist/src/cli/, so the repository root is three levels up.
const file = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = withTable(before, renderConfigurationTable());
if (after === before) {
  process.stdout.write('docs/configuration.md is up to date\n');
} else {
  writeFileSync(file, after);
  process.stdout.write('docs/configuration.md updated\n');
}
