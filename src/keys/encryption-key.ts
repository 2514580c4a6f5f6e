import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { KeysSettings } from './keys.options.js';
import { developmentEncryptionKey } from './key-encryption.js';

/**
 * Where the key that encrypts private signing keys at rest came from:
 * - `setting`: `KEYS_ENCRYPTION_KEY`;
 * - `file`: generated at first start into a 0600 file beside the SQLite database (no setting);
 * - `ephemeral`: random, for this process only (an in-memory SQLite database dies with it anyway);
 * - `development`: derived from a public constant, so anyone can derive it (MySQL/MariaDB with
 *   `NODE_ENV=development` and no setting only; the environment validation refuses it otherwise).
 */
export type EncryptionKeySource = 'setting' | 'file' | 'ephemeral' | 'development';

/** The key-encryption key in use, and where it came from. */
export interface ResolvedEncryptionKey {
  key: Buffer;
  source: EncryptionKeySource;
  /** The key file, for `source: 'file'`. */
  file?: string;
}

/** Messages {@link resolveEncryptionKey} wants logged (it has no logger of its own, so CLIs can route them). */
export interface EncryptionKeyLog {
  log(message: string): void;
  warn(message: string): void;
}

/** Base64 (standard or url-safe) of exactly 32 bytes, as `KEYS_ENCRYPTION_KEY` takes it. */
const KEY_TEXT = /^[A-Za-z0-9+/_-]{43}=?$/;

/** The key file of a SQLite database: beside it, named after it, so two databases never share a key. */
export function encryptionKeyFilePath(sqlitePath: string): string {
  return `${sqlitePath}.keys-encryption-key`;
}

/** Decodes a base64 key (as in `KEYS_ENCRYPTION_KEY` or a key file); throws unless it is 32 bytes. */
export function decodeEncryptionKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  const key = KEY_TEXT.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new Error(`${origin} does not hold base64 of 32 bytes`);
  return key;
}

/**
 * The key that encrypts private signing keys at rest (ASVS V6.4.1), in this order:
 *
 * 1. `KEYS_ENCRYPTION_KEY`;
 * 2. SQLite: the key file beside the database ({@link encryptionKeyFilePath}), created on first start with
 *    32 random bytes and mode 0600 (exclusive create: two processes starting at once end with one file).
 *    The key is never logged, only where it is. An in-memory database gets a random key for the process;
 * 3. MySQL/MariaDB with `NODE_ENV=development`: the derivable development key, with a warning (the
 *    validation refuses MySQL/MariaDB without a key in any other environment: instances share the
 *    database, so they must share a key, and none can be generated for them).
 */
export function resolveEncryptionKey(
  settings: Pick<KeysSettings, 'encryptionKey' | 'storage'>,
  log: EncryptionKeyLog,
): ResolvedEncryptionKey {
  if (settings.encryptionKey) return { key: settings.encryptionKey, source: 'setting' };
  const db = settings.storage;
  if (db.type !== 'sqlite') {
    log.warn(
      'KEYS_ENCRYPTION_KEY is not set: private signing keys are encrypted with the built-in DEVELOPMENT ' +
        'key, which anyone can derive (allowed with NODE_ENV=development only). Set KEYS_ENCRYPTION_KEY ' +
        '(openssl rand -base64 32), then run npm run keys:reencrypt -- --from-key dev.',
    );
    return { key: developmentEncryptionKey(), source: 'development' };
  }
  if (db.sqlitePath === ':memory:') {
    log.log('KEYS_ENCRYPTION_KEY is not set: in-memory database, so a random key for this process');
    return { key: randomBytes(32), source: 'ephemeral' };
  }
  const file = encryptionKeyFilePath(db.sqlitePath);
  const created = createKeyFile(file);
  if (created) {
    log.warn(
      `KEYS_ENCRYPTION_KEY is not set: generated a random key-encryption key in ${file} (mode 0600). ` +
        'Keep it with the database: a copy of one without the other cannot sign. Set KEYS_ENCRYPTION_KEY ' +
        'to use your own key (then npm run keys:reencrypt -- --from-key file:' +
        `${file}).`,
    );
    return { key: created, source: 'file', file };
  }
  const fd = openSync(file, 'r');
  try {
    const mode = fstatSync(fd).mode;
    if ((mode & 0o077) !== 0) {
      log.warn(
        `The key-encryption key file ${file} is readable by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 it.`,
      );
    }
    const key = decodeEncryptionKey(
      readFileSync(fd, 'utf8'),
      `The key-encryption key file ${file}`,
    );
    log.log(
      `Private signing keys are encrypted with the key in ${file} (KEYS_ENCRYPTION_KEY is not set)`,
    );
    return { key, source: 'file', file };
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates `file` with a new random key unless it exists; returns the key, or null when it existed. The key
 * is written to a private temporary file first and then hard-linked into place, which is atomic and fails
 * if the name exists: a concurrent reader never sees a half-written file, and of two processes creating
 * it at once exactly one wins (the other reads the winner's key).
 */
function createKeyFile(file: string): Buffer | null {
  if (existsSync(file)) return null;
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  // O_CREAT | O_EXCL with mode 0600: a fresh private file, never a symlink planted at the path.
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}
