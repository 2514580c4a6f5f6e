/**
 * DatabaseModule's effective settings: {@link DatabaseModuleOptions} over {@link DATABASE_DEFAULTS}. The
 * same settings drive the start-up migrator, the migration lock, the start-up check and `ormconfig.ts`.
 */
export interface DatabaseSettings {
  /** `mariadb` uses the same mysql2 driver; TypeORM needs to know it to read MariaDB's catalogue right. */
  type: 'sqlite' | 'mysql' | 'mariadb';
  /** The SQLite database file, or `:memory:`. */
  sqlitePath: string;
  /**
   * SQLite `synchronous` in WAL mode. `normal` (default): no fsync per commit; an application crash loses
   * nothing, an OS crash or power cut may roll back the last commits (never corrupts). `full`: every
   * commit is fsynced before it returns, at the price of one fsync per write (docs/adr/0012-sqlite-synchronous-normal.md).
   */
  sqliteSynchronous: 'normal' | 'full';
  host: string;
  port: number;
  user: string;
  password: string;
  name: string;
  poolSize: number;
  /** `DB_POOL_QUEUE_LIMIT`: requests that may wait for a pooled connection; beyond, 503 at once. */
  poolQueueLimit: number;
  /** `DB_ACQUIRE_TIMEOUT_MS`: longest wait for a pooled connection or a new connection's handshake. */
  acquireTimeoutMs: number;
  /** `DB_QUERY_TIMEOUT_MS`: longest MySQL/MariaDB statement; its connection is then dropped (docs/faults.md). */
  queryTimeoutMs: number;
  /** `DB_SQLITE_BUSY_TIMEOUT_MS`: SQLite `busy_timeout`, the wait for another process's lock. */
  sqliteBusyTimeoutMs: number;
  /** `DB_CONNECT_RETRIES`: start-up connection attempts after the first. */
  connectRetries: number;
  /** `DB_CONNECT_RETRY_DELAY_MS`: delay before the first start-up retry, doubled for each further one. */
  connectRetryDelayMs: number;
  /** Run pending migrations at start-up (under the migration lock). */
  migrationsRun: boolean;
  /** TypeORM query logging. */
  logging: boolean;
}

/**
 * Options of `DatabaseModule.forRoot()` / `forRootAsync()`. The module reads nothing else: no environment,
 * no application settings. Every option is optional; an omitted one takes its value in
 * {@link DATABASE_DEFAULTS} (AuthMS's defaults of the `DB_*` settings, docs/configuration.md).
 */
export type DatabaseModuleOptions = Partial<DatabaseSettings>;

/** The defaults of {@link DatabaseModuleOptions}: a SQLite file under `data/`, or MySQL/MariaDB on localhost. */
export const DATABASE_DEFAULTS: DatabaseSettings = {
  type: 'sqlite',
  sqlitePath: 'data/authms.sqlite',
  sqliteSynchronous: 'normal',
  host: '127.0.0.1',
  port: 3306,
  user: 'root',
  password: '',
  name: 'authms',
  poolSize: 10,
  poolQueueLimit: 100,
  acquireTimeoutMs: 3000,
  queryTimeoutMs: 5000,
  sqliteBusyTimeoutMs: 5000,
  connectRetries: 5,
  connectRetryDelayMs: 500,
  migrationsRun: true,
  logging: false,
};

/** Applies {@link DATABASE_DEFAULTS} to the omitted (undefined) options. */
export function resolveDatabaseSettings(options: DatabaseModuleOptions = {}): DatabaseSettings {
  const given = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as DatabaseModuleOptions;
  return { ...DATABASE_DEFAULTS, ...given };
}
