import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { createTestApp, TEST_DB_TYPE } from './helpers/test-app.js';

describe.skipIf(TEST_DB_TYPE !== 'sqlite')('SQLite durability settings', () => {
  it('uses WAL with synchronous=NORMAL by default and FULL with DB_SQLITE_SYNCHRONOUS=full', async () => {
    const cases: [Record<string, string>, number][] = [
      [{}, 1],
      [{ DB_SQLITE_SYNCHRONOUS: 'full' }, 2],
    ];
    for (const [env, synchronous] of cases) {
      const t = await createTestApp({ env });
      try {
        expect(await t.dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
        expect(await t.dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous }]);
      } finally {
        await t.close();
      }
    }
  });

  it('refuses other values', () => {
    expect(() => loadConfig({ DB_SQLITE_SYNCHRONOUS: 'off' })).toThrow(/DB_SQLITE_SYNCHRONOUS/);
  });
});
