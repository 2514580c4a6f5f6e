import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { MIGRATIONS } from '../src/database/index.js';
import { CreateClientSecrets1734300000000 } from '../src/database/migrations/1734300000000-CreateClientSecrets.js';
import { createTestDatabase, TEST_DB_TYPE } from './helpers/test-app.js';

function optionsFor(env: Record<string, string>, migrations: DataSourceOptions['migrations']) {
  const common = { migrations, migrationsTableName: 'migrations', synchronize: false } as const;
  if (env.DB_TYPE === 'sqlite') {
    return { ...common, type: 'better-sqlite3', database: env.DB_SQLITE_PATH } as DataSourceOptions;
  }
  return {
    ...common,
    type: env.DB_TYPE as 'mysql' | 'mariadb',
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    username: env.DB_USER,
    password: env.DB_PASSWORD,
    database: env.DB_NAME,
    supportBigNumbers: true,
    bigNumberStrings: false,
  } as DataSourceOptions;
}

// The secrets move from oauth_clients.client_secret_hash into client_secrets without any client losing
// its secret, and back on revert.
describe(`client_secrets migration (${TEST_DB_TYPE})`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  const index = MIGRATIONS.indexOf(CreateClientSecrets1734300000000);
  const confidential = '01JAAAAAAAAAAAAAAAAAAAAAAA';
  const expiring = '01JBBBBBBBBBBBBBBBBBBBBBBB';
  const publicClient = '01JCCCCCCCCCCCCCCCCCCCCCCC';

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(optionsFor(db.env, MIGRATIONS.slice(0, index)));
    await ds.initialize();
    await ds.runMigrations();
    const insert = (id: string, hash: string | null, exp: number, method: string) =>
      ds.query(
        'INSERT INTO oauth_clients (id, client_secret_hash, client_secret_expires_at, ' +
          'client_id_issued_at, registration_access_token_hash, token_endpoint_auth_method, ' +
          "redirect_uris, grant_types, response_types, scope, version) VALUES (?, ?, ?, 1, 'x', ?, " +
          `'[]', '[]', '[]', 'openid', 1)`,
        [id, hash, exp, method],
      );
    await insert(confidential, sha256Hex('sec_one'), 0, 'client_secret_basic');
    await insert(expiring, sha256Hex('sec_two'), 2_000_000_000, 'client_secret_post');
    await insert(publicClient, null, 0, 'none');
    await ds.destroy();
    ds = new DataSource(optionsFor(db.env, MIGRATIONS.slice(0, index + 1)));
    await ds.initialize();
    await ds.runMigrations();
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('gives every client with a secret one active secret with the same hash and expiry', async () => {
    const rows: Record<string, unknown>[] = await ds.query(
      'SELECT client_id, secret_hash, status, expires_at, last_used_at FROM client_secrets ' +
        'ORDER BY client_id',
    );
    expect(rows.map((r) => ({ ...r, expires_at: Number(r.expires_at) }))).toEqual([
      {
        client_id: confidential,
        secret_hash: sha256Hex('sec_one'),
        status: 'active',
        expires_at: 0,
        last_used_at: null,
      },
      {
        client_id: expiring,
        secret_hash: sha256Hex('sec_two'),
        status: 'active',
        expires_at: 2_000_000_000,
        last_used_at: null,
      },
    ]);
    const cols = (await ds.createQueryRunner().getTable('oauth_clients'))!.columns.map(
      (c) => c.name,
    );
    expect(cols).not.toContain('client_secret_hash');
    expect(cols).not.toContain('client_secret_expires_at');
  });

  it('puts the newest active secret back on revert', async () => {
    await ds.undoLastMigration();
    const rows: Record<string, unknown>[] = await ds.query(
      'SELECT id, client_secret_hash, client_secret_expires_at FROM oauth_clients ORDER BY id',
    );
    expect(
      rows.map((r) => [r.id, r.client_secret_hash, Number(r.client_secret_expires_at)]),
    ).toEqual([
      [confidential, sha256Hex('sec_one'), 0],
      [expiring, sha256Hex('sec_two'), 2_000_000_000],
      [publicClient, null, 0],
    ]);
    expect(await ds.createQueryRunner().hasTable('client_secrets')).toBe(false);
  });
});
