import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientsModule } from '../src/client-registration/index.js';
import { ENTITIES } from '../src/entities.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

// The schema comes only from migrations (never `synchronize`). This is the in-process equivalent of
// `typeorm migration:generate --check`: after every migration has run, TypeORM must find nothing to change
// between the entities and the database, on SQLite and on MySQL alike.
describe(`schema drift (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ imports: [ClientsModule] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('migrations produce exactly the schema the entities describe', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('ormconfig.ts lists exactly the entities the application registers (so migration:generate sees them)', () => {
    const registered = t.dataSource.entityMetadatas.map((m) => m.target);
    expect(new Set(ENTITIES)).toEqual(new Set(registered));
  });

  it('every migration has run and none is pending', async () => {
    expect(await t.dataSource.showMigrations()).toBe(false);
  });
});
