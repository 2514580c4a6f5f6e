import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { DatabaseSettings } from './database.options.js';

/** The part of better-sqlite3 the lock uses (the package ships no types; TypeORM loads it the same way). */
interface SqliteLockDatabase {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  path: string,
) => SqliteLockDatabase;

/** How long an instance waits for another one's migrations before it gives up, seconds. */
export const MIGRATION_LOCK_TIMEOUT_SECONDS = 300;

/** Another process held the migration lock for longer than {@link MIGRATION_LOCK_TIMEOUT_SECONDS}. */
export class MigrationLockTimeoutError extends Error {
  override name = 'MigrationLockTimeoutError';
}

/**
 * The MySQL/MariaDB lock name (`GET_LOCK` names are server-wide, so it carries the database name; at
 * most 64 characters).
 */
export function migrationLockName(database: string): string {
  return `authms:migrations:${database}`.slice(0, 64);
}

/**
 * Runs `fn` (the migrations) while holding a lock that every other instance of this database takes
 * before it reads the `migrations` table, so instances that start together run each migration once:
 * the first migrates, the others wait and then find nothing pending (docs/faults.md "Migration lock",
 * ADR 0095).
 *
 * - MySQL/MariaDB: `GET_LOCK` on a connection of its own. The server releases the lock when that
 *   connection ends, so a crashed instance never leaves it behind.
 * - SQLite: `BEGIN IMMEDIATE` on a small lock database beside the file (`<file>.migrations-lock`). It
 *   never touches the real database (whose connection the migrations use), and the operating system
 *   drops the lock with the process. An in-memory database has no other process to race with.
 */
export async function withMigrationLock<T>(
  db: DatabaseSettings,
  fn: () => Promise<T>,
  onWait: (message: string) => void = () => undefined,
): Promise<T> {
  if (db.type === 'sqlite') {
    if (db.sqlitePath === ':memory:') return fn();
    return withSqliteLock(`${db.sqlitePath}.migrations-lock`, fn, onWait);
  }
  const conn = await createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.name,
    connectTimeout: db.acquireTimeoutMs,
  });
  try {
    const name = migrationLockName(db.name);
    // Ask without waiting first, only to say why start-up pauses; then wait for it.
    let [rows] = await conn.query('SELECT GET_LOCK(?, 0) AS l', [name]);
    if (lockResult(rows) !== 1) {
      onWait(`waiting for another instance's migrations (lock ${name})`);
      [rows] = await conn.query('SELECT GET_LOCK(?, ?) AS l', [
        name,
        MIGRATION_LOCK_TIMEOUT_SECONDS,
      ]);
      if (lockResult(rows) !== 1) {
        throw new MigrationLockTimeoutError(
          `another instance held the migration lock ${name} for more than ${MIGRATION_LOCK_TIMEOUT_SECONDS} s`,
        );
      }
    }
    try {
      return await fn();
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [name]);
    }
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

function lockResult(rows: unknown): number | null {
  const v = (rows as { l: unknown }[])[0]?.l;
  return v === null || v === undefined ? null : Number(v);
}

async function withSqliteLock<T>(
  path: string,
  fn: () => Promise<T>,
  onWait: (message: string) => void,
): Promise<T> {
  // The lock file sits beside the database, whose directory may not exist yet on a first start
  // (`npm start` on a fresh clone creates data/ here, before any DataSource does).
  mkdirSync(dirname(path), { recursive: true });
  const lock = new Database(path);
  try {
    // better-sqlite3 waits synchronously: wait in steps of a second, so the deadline holds.
    lock.pragma('busy_timeout = 1000');
    const deadline = Date.now() + MIGRATION_LOCK_TIMEOUT_SECONDS * 1000;
    for (let waited = false; ;) {
      try {
        lock.exec('BEGIN IMMEDIATE');
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
        if (Date.now() > deadline) {
          throw new MigrationLockTimeoutError(
            `another process held the migration lock ${path} for more than ${MIGRATION_LOCK_TIMEOUT_SECONDS} s`,
          );
        }
        if (!waited) onWait(`waiting for another process's migrations (lock ${path})`);
        waited = true;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      return await fn();
    } finally {
      lock.exec('ROLLBACK');
    }
  } finally {
    lock.close();
  }
}
