import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import type { AppModuleOptions } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { buildDataSourceOptions, DATABASE_DEFAULTS, MIGRATIONS } from '../../src/database/index.js';
import type { DestinationStream } from 'pino';
import { poolRsaKeyPairs } from './key-pool.js';
import { testLogger } from './test-logger.js';

/** A running server on a real port with its own, fresh database. */
export interface TestApp {
  app: NestExpressApplication;
  /** Base URL, e.g. `http://127.0.0.1:41234` (also the issuer). */
  url: string;
  /** The environment the app was booted with. */
  env: Record<string, string>;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** Which database the e2e run uses: `DB_TYPE=mysql` selects MariaDB/MySQL on 127.0.0.1:3306. */
export const TEST_DB_TYPE =
  process.env.DB_TYPE === 'mysql' || process.env.DB_TYPE === 'mariadb' ? 'mysql' : 'sqlite';

/** A free TCP port on loopback (so the issuer URL is known before the app boots). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function mysqlParams() {
  return {
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
  };
}

/** Creates a fresh, empty database and returns the env that points at it plus its cleanup. */
export async function createTestDatabase(): Promise<{
  env: Record<string, string>;
  drop: () => Promise<void>;
}> {
  const id = `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (TEST_DB_TYPE === 'mysql') {
    const name = `authms_t_${id}`;
    const conn = await createConnection(mysqlParams());
    // TypeORM reads MariaDB's catalogue differently from MySQL's; tell it which server this is.
    const [rows] = await conn.query('SELECT VERSION() AS v');
    const flavour = /mariadb/i.test(String((rows as { v: string }[])[0]?.v)) ? 'mariadb' : 'mysql';
    await conn.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await conn.end();
    const p = mysqlParams();
    return {
      env: {
        DB_TYPE: flavour,
        DB_HOST: p.host,
        DB_PORT: String(p.port),
        DB_USER: p.user,
        DB_PASSWORD: p.password,
        DB_NAME: name,
      },
      drop: async () => {
        const c = await createConnection(mysqlParams());
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await c.end();
      },
    };
  }
  const file = join(tmpdir(), `authms-test-${id}.sqlite`);
  return {
    env: { DB_TYPE: 'sqlite', DB_SQLITE_PATH: file },
    drop: () => {
      for (const suffix of [
        '',
        '-wal',
        '-shm',
        '-journal',
        '.keys-encryption-key',
        '.migrations-lock',
      ]) {
        rmSync(file + suffix, { force: true });
      }
      return Promise.resolve();
    },
  };
}

/** The migrated SQLite template (see {@link migratedSqliteTemplate}), looked up once per worker. */
let sqliteTemplate: Promise<string> | undefined;

/**
 * A SQLite file on which every migration has run, made by TypeORM's migrator from the same migration
 * list as the app's. Each test app on SQLite starts from a copy of it: running every migration again
 * was about 90 ms of CPU, half of a test app's boot (docs/testing.md). The app still checks for pending
 * migrations at start-up, under the lock, and finds none. Tests of the migrations themselves start the
 * server or the CLI on an empty database from `createTestDatabase()`; the schema drift test checks the
 * migrated schema either way.
 *
 * The file is named by a hash of the migrations (names and code), so workers and later runs share it and
 * a changed migration makes a new one; it is made under a unique name and renamed into place, so a
 * reader never sees half of it.
 */
function migratedSqliteTemplate(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const hash = createHash('sha256');
    for (const m of MIGRATIONS) hash.update(`${m.name}\n${m.prototype.up}\n${m.prototype.down}\n`);
    const file = join(tmpdir(), `authms-test-template-${hash.digest('hex').slice(0, 16)}.sqlite`);
    if (existsSync(file)) return file;
    const partial = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
    const migrator = new DataSource({
      ...buildDataSourceOptions({ ...DATABASE_DEFAULTS, type: 'sqlite', sqlitePath: partial }, [], {
        failFast: false,
      }),
      migrationsRun: false,
    });
    await migrator.initialize();
    try {
      await migrator.runMigrations();
      // Everything into the main file, so that one file is the whole database.
      await migrator.query('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      await migrator.destroy();
    }
    renameSync(partial, file);
    for (const suffix of ['-wal', '-shm']) rmSync(partial + suffix, { force: true });
    return file;
  })();
  return sqliteTemplate;
}

/** Creates the database of a test app: on SQLite, a copy of the migrated template. */
async function createAppDatabase(): Promise<Awaited<ReturnType<typeof createTestDatabase>>> {
  const db = await createTestDatabase();
  if (TEST_DB_TYPE === 'sqlite') {
    copyFileSync(await migratedSqliteTemplate(), db.env.DB_SQLITE_PATH);
  }
  return db;
}

/**
 * Boots the real application (same `AppModule` and `configureApp` as `main.ts`) on a free loopback port
 * with a fresh database: on MariaDB an empty one the app migrates, as in production; on SQLite a copy of
 * the worker's migrated template (the app finds no pending migration). `env` overrides settings for this app only.
 */
export async function createTestApp(
  options: {
    env?: Record<string, string>;
    imports?: ModuleMetadata['imports'];
    database?: Record<string, string>;
    /** How AuthorizeModule is composed (e.g. a replacement login handler). */
    authorize?: AppModuleOptions['authorize'];
    /**
     * Receives every log line (JSON) of the app, Nest's own included, instead of the test logger; set
     * `LOG_LEVEL` in `env` for the levels wanted.
     */
    logs?: DestinationStream;
  } = {},
): Promise<TestApp> {
  poolRsaKeyPairs();
  const port = await freePort();
  const db = options.database
    ? { env: options.database, drop: async () => {} }
    : await createAppDatabase();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'error',
    // A fixed test key, so no development-key warning is printed.
    KEYS_ENCRYPTION_KEY: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=',
    ...db.env,
    ...options.env,
  };
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({
        env,
        imports: options.imports,
        authorize: options.authorize,
        // The app's own lines (request lines of 5xx at the test LOG_LEVEL=error) are kept like the
        // rest, and printed only when a test fails.
        logDestination: options.logs ?? testLogger.destination,
      }),
      // Warnings and errors are kept, and printed only when a test fails (test/setup/per-file.ts).
      { bodyParser: false, logger: testLogger, abortOnError: false },
    );
    configureApp(app);
    // Again after configureApp, which installs the JSON logger, unless the test reads the JSON lines.
    if (!options.logs) app.useLogger(testLogger);
    await app.listen(port, '127.0.0.1');
  } catch (e) {
    // A refused start-up (bad setting, start-up check) must not leak connections or the database.
    await app?.close().catch(() => undefined);
    await db.drop();
    throw e;
  }
  const dataSource = app.get(DataSource);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    env,
    dataSource,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
