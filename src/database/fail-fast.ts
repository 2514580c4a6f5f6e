import mysql2 from 'mysql2';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2';
import { DB_QUERY_TIMEOUT_CODE } from '../common/errors/database-unavailable.js';

/** The bounds a request's database work is held to (docs/faults.md "Fail fast"). */
export interface FailFastBounds {
  /** Longest wait for a pooled connection, ms. */
  acquireTimeoutMs: number;
  /** Longest statement, ms; the connection is then dropped. */
  queryTimeoutMs: number;
}

/**
 * No pooled connection came within `DB_ACQUIRE_TIMEOUT_MS`, or the wait queue was full
 * (`DB_POOL_QUEUE_LIMIT`): the database is overloaded or unreachable. Answered 503.
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    message: string,
    /** `DB_ACQUIRE_TIMEOUT` or `DB_POOL_QUEUE_FULL`, so logs and tests can tell them apart. */
    readonly code: 'DB_ACQUIRE_TIMEOUT' | 'DB_POOL_QUEUE_FULL',
  ) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

const QUERY_TIMEOUT = DB_QUERY_TIMEOUT_CODE;

type QueryCallback = (err: (Error & { code?: string }) | null, ...rest: unknown[]) => void;
type QueryFn = (sql: unknown, values?: unknown, cb?: unknown) => unknown;

/**
 * Gives every statement of a pooled connection a `timeout`, and drops the connection when one runs out.
 * mysql2 only reports the timeout: the statement stays queued on the connection, so the connection would
 * go back to the pool with a stalled command in front of the next user's, and — inside a transaction —
 * with the transaction still open, so the next user's `START TRANSACTION` would commit the half-done work.
 * Destroying the socket instead makes the server roll the transaction back, and the pool opens a fresh
 * connection for the next request.
 */
function guardConnection(conn: PoolConnection, queryTimeoutMs: number): void {
  const target = conn as unknown as { query: QueryFn };
  const query: QueryFn = target.query.bind(conn);
  target.query = (sql, values, cb) => {
    if (typeof values === 'function') {
      cb = values;
      values = undefined;
    }
    const withTimeout =
      typeof sql === 'string'
        ? { sql, timeout: queryTimeoutMs }
        : isPlainOptions(sql)
          ? { ...sql, timeout: sql.timeout ?? queryTimeoutMs }
          : sql;
    if (typeof cb !== 'function') return query(withTimeout, values);
    const callback = cb as QueryCallback;
    let answered = false;
    return query(
      withTimeout,
      values,
      (err: (Error & { code?: string }) | null, ...rest: unknown[]) => {
        // mysql2 may report a timed-out statement a second time when the dropped socket closes.
        if (answered) return;
        answered = true;
        if (err?.code === QUERY_TIMEOUT) conn.destroy();
        callback(err, ...rest);
      },
    );
  };
}

/** A `{ sql, ... }` options object (what TypeORM passes), not a prepared mysql2 command. */
function isPlainOptions(v: unknown): v is { sql: string; timeout?: number } {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    typeof (v as { sql?: unknown }).sql === 'string'
  );
}

/**
 * Bounds the wait for a pooled connection: mysql2 has no acquire timeout, a waiter queues until a
 * connection frees up. After `acquireTimeoutMs` the caller gets a {@link DatabaseUnavailableError}; a
 * connection that arrives for it later goes straight back to the pool.
 */
function guardPool(pool: Pool, bounds: FailFastBounds): void {
  const target = pool as unknown as {
    getConnection: (cb: (err: Error | null, conn?: PoolConnection) => void) => void;
  };
  const getConnection = target.getConnection.bind(pool);
  target.getConnection = (cb) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      cb(
        new DatabaseUnavailableError(
          `no database connection within ${bounds.acquireTimeoutMs} ms`,
          'DB_ACQUIRE_TIMEOUT',
        ),
      );
    }, bounds.acquireTimeoutMs);
    getConnection((err, conn) => {
      if (settled) {
        if (!err) conn?.release();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (err && /^Queue limit reached/.test(err.message)) {
        cb(
          new DatabaseUnavailableError(
            'the database connection queue is full',
            'DB_POOL_QUEUE_FULL',
          ),
        );
        return;
      }
      cb(err, conn);
    });
  };
  pool.on('connection', (conn) => guardConnection(conn, bounds.queryTimeoutMs));
}

/**
 * mysql2 as TypeORM's `driver` option, with pools that fail fast: a bounded wait for a connection and a
 * bounded, connection-dropping statement timeout ({@link guardPool}, {@link guardConnection}). The queue
 * bound and the handshake timeout are mysql2's own `queueLimit` and `connectTimeout`.
 */
export function failFastMysql2(bounds: FailFastBounds): typeof mysql2 {
  const driver = Object.create(mysql2) as typeof mysql2;
  // An own property: TypeORM refuses a driver object without any.
  Object.defineProperty(driver, 'createPool', {
    enumerable: true,
    value: (options: PoolOptions) => {
      const pool = mysql2.createPool(options);
      guardPool(pool, bounds);
      return pool;
    },
  });
  return driver;
}
