import { describe, expect, it } from 'vitest';
import { DATABASE_DEFAULTS, resolveDatabaseSettings } from './database.options.js';

describe(resolveDatabaseSettings.name, () => {
  it('takes the documented default of every omitted option', () => {
    expect(resolveDatabaseSettings({})).toEqual(DATABASE_DEFAULTS);
    expect(resolveDatabaseSettings({ type: 'mariadb', port: undefined })).toEqual({
      ...DATABASE_DEFAULTS,
      type: 'mariadb',
    });
  });

  it('keeps what is given', () => {
    const sut = resolveDatabaseSettings({
      sqlitePath: ':memory:',
      migrationsRun: false,
      poolSize: 3,
    });
    expect(sut).toEqual({
      ...DATABASE_DEFAULTS,
      sqlitePath: ':memory:',
      migrationsRun: false,
      poolSize: 3,
    });
  });
});
