import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from './database.options.js';
import { failFastMysql2 } from './fail-fast.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Builds TypeORM options for SQLite (better-sqlite3) or MySQL/MariaDB (mysql2) from the validated config.
 * Shared by `DatabaseModule` and `ormconfig.ts`, so the app and the TypeORM CLI always agree.
 * Schema comes from migrations only: `synchronize` is never on.
 */
export function buildDataSourceOptions(
  db: DatabaseSettings,
  entities: DataSourceOptions['entities'] = [],
  /**
   * `false` for migrations (the start-up migrator and the TypeORM CLI): a long `ALTER TABLE` must not hit
   * the per-request statement timeout, nor wait for a lock with the acquire timeout.
   */
  { failFast = true }: { failFast?: boolean } = {},
): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: db.logging,
  } as const;
  if (db.type === 'mysql' || db.type === 'mariadb') {
    return {
      ...common,
      type: db.type,
      host: db.host,
      port: db.port,
      username: db.user,
      password: db.password,
      database: db.name,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: db.poolSize,
      supportBigNumbers: true,
      bigNumberStrings: false,
      // Fail fast (docs/faults.md): a bounded wait queue, a bounded handshake, and — through the driver
      // wrapper — a bounded wait for a connection and a statement timeout that drops the connection.
      connectorPackage: 'mysql2',
      ...(failFast && {
        driver: failFastMysql2({
          acquireTimeoutMs: db.acquireTimeoutMs,
          queryTimeoutMs: db.queryTimeoutMs,
        }),
      }),
      extra: {
        connectionLimit: db.poolSize,
        queueLimit: db.poolQueueLimit,
        connectTimeout: db.acquireTimeoutMs,
      },
    };
  }
  if (db.sqlitePath !== ':memory:') mkdirSync(dirname(db.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.sqlitePath,
    // WAL lets readers proceed while a writer commits; busy_timeout makes a second process wait, not fail
    // at once — but better-sqlite3 waits synchronously, so it is bounded (DB_SQLITE_BUSY_TIMEOUT_MS) and
    // SQLITE_BUSY then answers 503 (docs/faults.md).
    // better-sqlite3 is synchronous, so with synchronous=FULL every commit's fsync (milliseconds on most
    // disks) stalls the whole event loop; NORMAL in WAL mode syncs at checkpoints only and never corrupts.
    prepareDatabase: (conn: { pragma: (s: string) => unknown }) => {
      conn.pragma('journal_mode = WAL');
      conn.pragma(`synchronous = ${db.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      conn.pragma(`busy_timeout = ${db.sqliteBusyTimeoutMs}`);
      conn.pragma('foreign_keys = ON');
    },
  };
}
