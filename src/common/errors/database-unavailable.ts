/**
 * Telling "the database is unavailable right now" from "this request is wrong", for the one exception
 * filter: the first answers `503 temporarily_unavailable` with `Retry-After` (docs/faults.md), never 500.
 * The codes are the drivers' (mysql2, better-sqlite3) and those of the pool guard in
 * `src/database/fail-fast.ts`; nothing here imports a driver.
 */

/** The error code mysql2 gives a statement that ran past its `timeout`. */
export const DB_QUERY_TIMEOUT_CODE = 'PROTOCOL_SEQUENCE_TIMEOUT';

/**
 * Driver error codes that mean "the database is slow, gone or refusing work right now", not "this request
 * is wrong": they become `503 temporarily_unavailable` with `Retry-After` (RFC 6749 §4.1.2.1, RFC 9110
 * §15.6.4) instead of a 500. Network errors of mysql2, its query timeout, MySQL/MariaDB server states
 * that pass, and SQLite's busy/locked results once `busy_timeout` has run out.
 */
const UNAVAILABLE_CODES = new Set([
  DB_QUERY_TIMEOUT_CODE,
  'DB_ACQUIRE_TIMEOUT',
  'DB_POOL_QUEUE_FULL',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
]);

/** mysql2 errors without a code that mean the same (a closed pool while the server shuts down). */
const UNAVAILABLE_MESSAGES = [
  /^Pool is closed\.?$/,
  /^Queue limit reached\.?$/,
  /Can't add new command when connection is in closed state/,
];

/**
 * Whether `e` (or what it wraps: TypeORM's `QueryFailedError.driverError`, an error's `cause`) says the
 * database is temporarily unavailable; see {@link UNAVAILABLE_CODES}.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = e;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const err = current as {
      code?: unknown;
      fatal?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof err.code === 'string' && UNAVAILABLE_CODES.has(err.code)) return true;
    // mysql2 marks errors that killed the connection as fatal: the connection is gone, not the request bad.
    if (err.fatal === true) return true;
    if (
      typeof err.message === 'string' &&
      UNAVAILABLE_MESSAGES.some((r) => r.test(err.message as string))
    ) {
      return true;
    }
    current = err.driverError ?? err.cause;
  }
  return false;
}
