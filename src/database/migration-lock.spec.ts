import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveDatabaseSettings } from './database.options.js';
import { withMigrationLock } from './migration-lock.js';

describe('withMigrationLock (SQLite)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates the database directory on a first start, so `npm start` works on a fresh clone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'authms-lock-'));
    dirs.push(root);
    const sqlitePath = join(root, 'data', 'nested', 'authms.sqlite');
    const db = resolveDatabaseSettings({ type: 'sqlite', sqlitePath });
    await expect(withMigrationLock(db, () => Promise.resolve('ran'))).resolves.toBe('ran');
    expect(existsSync(join(root, 'data', 'nested'))).toBe(true);
  });
});
