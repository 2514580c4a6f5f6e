import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
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

/**
 * Boots the real application (same `AppModule` and `configureApp` as `main.ts`) on a free loopback port
 * with a fresh database, migrations run as in production. `env` overrides settings for this app only.
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
    : await createTestDatabase();
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
