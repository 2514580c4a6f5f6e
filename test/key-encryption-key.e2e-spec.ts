import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CliIo, OLD_KEY_ENV, runKeysReencrypt } from '../src/cli/index.js';
import { decryptPrivateKey, developmentEncryptionKey, JwtService } from '../src/keys/index.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';

const DEV_KEY = developmentEncryptionKey().toString('base64');
const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');
/** The environment a server gets when nobody set NODE_ENV or KEYS_ENCRYPTION_KEY. */
const UNSET = { NODE_ENV: '', KEYS_ENCRYPTION_KEY: '' };

interface KeyRow {
  kid: string;
  private_key_enc: string;
  active_slot: number | null;
}

async function keyRows(t: TestApp): Promise<KeyRow[]> {
  return t.dataSource.query('SELECT kid, private_key_enc, active_slot FROM signing_keys');
}

function opens(row: KeyRow, keyBase64: string): boolean {
  try {
    decryptPrivateKey(row.private_key_enc, row.kid, Buffer.from(keyBase64, 'base64'));
    return true;
  } catch {
    return false;
  }
}

/** Signs an ID-token-shaped JWT through the app and verifies it against the published JWK Set. */
async function signsAndVerifies(t: TestApp): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await t.app
    .get(JwtService)
    .signJwt({ iss: t.url, sub: 'usr_1', aud: 'c', iat: now, exp: now + 60 }, { alg: 'RS256' });
  const jwks = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as never;
  await jwtVerify(jwt, createLocalJWKSet(jwks), { issuer: t.url });
}

function cli(env: Record<string, string | undefined>): {
  io: CliIo;
  out: () => { stdout: string; stderr: string };
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return {
    io: { env: { ...env, LOG_LEVEL: 'error' }, stdin: Readable.from(['']), stdout, stderr },
    out: () => ({ stdout: o, stderr: e }),
  };
}

/**
 * Issue 7 item 3: with `NODE_ENV` unset, private signing keys were encrypted with a key anyone can derive,
 * so a database copy gave away the token-signing keys. Now: a random key file beside the SQLite database,
 * MySQL/MariaDB refuses to start without a key unless `NODE_ENV=development`, rows still under the
 * development key stop the server with the command that fixes them, and `keys:reencrypt` fixes them.
 */
describe(`key-encryption key without KEYS_ENCRYPTION_KEY (${TEST_DB_TYPE})`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A fresh database shared by the apps of one test; apps booted on it are closed after the test. */
  async function database() {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const boot = async (env: Record<string, string>) => {
      const t = await createTestApp({ database: db.env, env });
      cleanups.push(() => t.close());
      return t;
    };
    return { env: db.env, boot };
  }

  it.skipIf(TEST_DB_TYPE !== 'sqlite')(
    'SQLite: generates a random key into a 0600 file beside the database, logs where (never the key), reuses it',
    async () => {
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const db = await database();
      const file = `${db.env.DB_SQLITE_PATH}.keys-encryption-key`;
      const first = await db.boot(UNSET);
      await signsAndVerifies(first);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const key = readFileSync(file, 'utf8').trim();
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
      const logged = JSON.stringify(warn.mock.calls);
      expect(logged).toContain(file);
      expect(logged).not.toContain(key);
      // The attack of the review: the stored private keys no longer open with the derivable key.
      const rows = await keyRows(first);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(opens(row, DEV_KEY)).toBe(false);
        expect(opens(row, key)).toBe(true);
      }
      await first.app.close();

      // A restart uses the same file: the same keys keep signing.
      const second = await db.boot(UNSET);
      await signsAndVerifies(second);
      expect(readFileSync(file, 'utf8').trim()).toBe(key);
      expect((await keyRows(second)).map((r) => r.kid).sort()).toEqual(
        rows.map((r) => r.kid).sort(),
      );
    },
  );

  it.skipIf(TEST_DB_TYPE !== 'sqlite')(
    'SQLite: warns when the key file is readable by other users',
    async () => {
      const db = await database();
      const file = `${db.env.DB_SQLITE_PATH}.keys-encryption-key`;
      await (await db.boot(UNSET)).app.close();
      chmodSync(file, 0o644);
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      await db.boot(UNSET);
      expect(JSON.stringify(warn.mock.calls)).toMatch(/readable by other users.*chmod 600/);
    },
  );

  it.skipIf(TEST_DB_TYPE === 'sqlite')(
    'MySQL/MariaDB: refuses to start without a key unless NODE_ENV=development, which warns',
    async () => {
      for (const NODE_ENV of ['', 'test', 'production']) {
        await expect(createTestApp({ env: { ...UNSET, NODE_ENV } })).rejects.toThrow(
          /KEYS_ENCRYPTION_KEY: required/,
        );
      }
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const db = await database();
      const t = await db.boot({ ...UNSET, NODE_ENV: 'development' });
      await signsAndVerifies(t);
      expect(JSON.stringify(warn.mock.calls)).toMatch(/DEVELOPMENT key.*keys:reencrypt/);
    },
  );

  it('refuses to start on rows under the development key, naming keys:reencrypt; the command fixes them', async () => {
    const db = await database();
    // What a server without KEYS_ENCRYPTION_KEY wrote before: every private key under the derivable key.
    const old = await db.boot({ KEYS_ENCRYPTION_KEY: DEV_KEY });
    await signsAndVerifies(old);
    const kids = (await keyRows(old)).map((r) => r.kid).sort();
    const oldJwks = (await request(old.url).get('/.well-known/jwks.json')).body as unknown;
    await old.app.close();

    // The upgraded server: on SQLite no setting (a key file), on MySQL/MariaDB a real key.
    const upgraded = TEST_DB_TYPE === 'sqlite' ? UNSET : { KEYS_ENCRYPTION_KEY: KEY_A };
    const refused = createTestApp({ database: db.env, env: upgraded });
    await expect(refused).rejects.toThrow(
      /development key.*npm run keys:reencrypt -- --from-key dev/,
    );

    const env = { ...process.env, NODE_ENV: 'test', ...db.env, ...upgraded };
    const run = cli(env);
    expect(await runKeysReencrypt(['--from-key', 'dev'], run.io)).toBe(0);
    expect(run.out().stdout.trim().split('\n').sort()).toEqual(kids);
    expect(run.out().stderr).toMatch(/keys:rotate/);

    const fixed = await db.boot(upgraded);
    await signsAndVerifies(fixed);
    // Same keys (tokens signed before still verify), none of them under the development key any more.
    expect((await request(fixed.url).get('/.well-known/jwks.json')).body).toEqual(oldJwks);
    for (const row of await keyRows(fixed)) expect(opens(row, DEV_KEY)).toBe(false);

    // Running it again changes nothing.
    const again = cli(env);
    expect(await runKeysReencrypt(['--from-key', 'dev'], again.io)).toBe(0);
    expect(again.out().stdout).toBe('');
    expect(again.out().stderr).toMatch(/0 re-encrypted.*already under it/);
  });

  it('counts a key that still signs until its staged successor activates as in use (by its times, not its slot)', async () => {
    const db = await database();
    const old = await db.boot({ KEYS_ENCRYPTION_KEY: DEV_KEY });
    await signsAndVerifies(old);
    // A rotation moved the slot to a staged successor: these keys hold no slot but sign for 10 more minutes.
    const now = Math.floor(Date.now() / 1000);
    await old.dataSource.query(
      'UPDATE signing_keys SET active_slot = NULL, retired_at = ?, not_after = ?',
      [now + 600, now + 600 + 3690],
    );
    await old.app.close();
    const upgraded = TEST_DB_TYPE === 'sqlite' ? UNSET : { KEYS_ENCRYPTION_KEY: KEY_A };
    await expect(createTestApp({ database: db.env, env: upgraded })).rejects.toThrow(
      /development key.*npm run keys:reencrypt -- --from-key dev/,
    );
  });

  it('re-encrypts after a key change (--from-key env / file:) and refuses a wrong old key without changing anything', async () => {
    const db = await database();
    const a = await db.boot({ KEYS_ENCRYPTION_KEY: KEY_A });
    await signsAndVerifies(a);
    await a.app.close();
    const base = { ...process.env, NODE_ENV: 'test', ...db.env, KEYS_ENCRYPTION_KEY: KEY_B };

    const wrong = cli({ ...base, [OLD_KEY_ENV]: Buffer.alloc(32, 9).toString('base64') });
    expect(await runKeysReencrypt(['--from-key', 'env'], wrong.io)).toBe(1);
    expect(wrong.out().stderr).toMatch(/nothing was changed/);
    const probe = await db.boot({ KEYS_ENCRYPTION_KEY: KEY_A });
    for (const row of await keyRows(probe)) expect(opens(row, KEY_A)).toBe(true);
    await probe.app.close();

    // The old key from a file, e.g. the key file a SQLite server generated before a key was set.
    const keyFile = join(mkdtempSync(join(tmpdir(), 'authms-kek-')), 'old.key');
    writeFileSync(keyFile, `${KEY_A}\n`, { mode: 0o600 });
    cleanups.push(() =>
      Promise.resolve(rmSync(dirname(keyFile), { recursive: true, force: true })),
    );
    const ok = cli(base);
    expect(await runKeysReencrypt(['--from-key', `file:${keyFile}`], ok.io)).toBe(0);
    expect(ok.out().stderr).toMatch(/re-encrypted under KEYS_ENCRYPTION_KEY/);
    const b = await db.boot({ KEYS_ENCRYPTION_KEY: KEY_B });
    await signsAndVerifies(b);
    for (const row of await keyRows(b)) expect(opens(row, KEY_B)).toBe(true);
  });

  it('refuses bad command lines, never taking a key from the arguments', async () => {
    const env = { ...process.env, NODE_ENV: 'test', KEYS_ENCRYPTION_KEY: KEY_A };
    for (const argv of [
      [],
      ['--from-key', KEY_B],
      ['--from-key', 'env:NOPE'],
      ['--from-key', 'file:/nonexistent/key'],
      ['--bogus'],
    ]) {
      const run = cli(env);
      expect(await runKeysReencrypt(argv, run.io), argv.join(' ')).toBe(2);
      expect(run.out().stderr).not.toContain(KEY_B);
      expect(run.out().stderr).toMatch(/Usage: npm run keys:reencrypt/);
    }
  });
});
