import * as argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidUserError,
  UsernameTakenError,
  UsersService,
  type User,
} from '../src/users/index.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  email: string | null;
  email_verified: number | boolean;
  updated_at: string | Date;
}

describe(`users (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let users: UsersService;
  beforeAll(async () => {
    t = await createTestApp();
    users = t.app.get(UsersService);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function rows(where = '1 = 1', params: unknown[] = []): Promise<UserRow[]> {
    return t.dataSource.query<UserRow[]>(`SELECT * FROM users WHERE ${where}`, params);
  }

  it('creates a user with a usr_ ULID id (the OIDC sub) and every profile field', async () => {
    const user = await users.create({
      username: 'Alice',
      password: 'correct horse battery staple',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Liddell',
      givenName: 'Alice',
      familyName: 'Liddell',
    });
    expect(user).toEqual({
      id: expect.stringMatching(/^usr_[0-9A-HJKMNP-TV-Z]{26}$/) as unknown,
      username: 'alice',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Liddell',
      givenName: 'Alice',
      familyName: 'Liddell',
      updatedAt: expect.any(Number) as unknown,
      roles: [],
    } satisfies Record<keyof User, unknown>);
    expect(Math.abs(user.updatedAt - Date.now() / 1000)).toBeLessThan(60);
    expect(await users.findById(user.id)).toEqual(user);
  });

  it('stores the password only as an argon2id hash (RFC 9106), never in plain text', async () => {
    const password = 'plain-text-never-stored';
    const user = await users.create({ username: 'hash-check', password });
    const [row] = await rows('id = ?', [user.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(row.password_hash).not.toContain(password);
    expect(JSON.stringify(await rows())).not.toContain(password);
    // The password hash is not part of the User the rest of the server sees.
    expect(JSON.stringify(await users.findById(user.id))).not.toContain('argon2');
  });

  it('refuses a duplicate username, also when it differs only in case', async () => {
    await users.create({ username: 'bob', password: 'password-bob-1' });
    await expect(users.create({ username: 'bob', password: 'password-bob-2' })).rejects.toThrow(
      UsernameTakenError,
    );
    await expect(users.create({ username: ' BOB ', password: 'password-bob-3' })).rejects.toThrow(
      /already taken/,
    );
    expect(await rows('username = ?', ['bob'])).toHaveLength(1);
  });

  it('lets exactly one of several concurrent creations of one username win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        users.create({ username: 'racer', password: `password-${i}-x` }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(UsernameTakenError);
    }
    expect(await rows('username = ?', ['racer'])).toHaveLength(1);
  });

  it('enforces the password policy: 8 to 1024 characters (NIST SP 800-63B §5.1.1.2)', async () => {
    await expect(users.create({ username: 'short', password: '1234567' })).rejects.toThrow(
      InvalidUserError,
    );
    await expect(users.create({ username: 'long', password: 'x'.repeat(1025) })).rejects.toThrow(
      /8-1024 characters/,
    );
    await expect(users.create({ username: 'empty', password: '' })).rejects.toThrow(
      InvalidUserError,
    );
    await users.create({ username: 'min', password: '12345678' });
    await users.create({ username: 'max', password: 'y'.repeat(1024) });
    expect(await rows("username IN ('short', 'long', 'empty')")).toHaveLength(0);
  });

  it('rejects bad usernames, e-mail addresses and profile text without writing a row', async () => {
    const bad = [
      { username: '', password: 'password-ok' },
      { username: 'has space', password: 'password-ok' },
      { username: 'ctl\u0000x', password: 'password-ok' },
      { username: 'u'.repeat(192), password: 'password-ok' },
      { username: 'mail1', password: 'password-ok', email: 'not-an-email' },
      { username: 'mail2', password: 'password-ok', email: 'a b@example.com' },
      { username: 'mail3', password: 'password-ok', email: `${'a'.repeat(250)}@x.io` },
      { username: 'name1', password: 'password-ok', name: 'n'.repeat(256) },
      { username: 'name2', password: 'password-ok', givenName: 'line\nbreak' },
    ];
    for (const input of bad) {
      await expect(users.create(input), JSON.stringify(input).slice(0, 80)).rejects.toThrow(
        InvalidUserError,
      );
    }
    expect(await rows("username IN ('mail1', 'mail2', 'mail3', 'name1', 'name2')")).toHaveLength(0);
    // Messages never echo the password.
    await expect(users.create({ username: 'pw', password: 'secret7' })).rejects.not.toThrow(
      /secret7/,
    );
  });

  it('accepts a 191-character username and ignores email_verified without an e-mail', async () => {
    const user = await users.create({
      username: 'v'.repeat(191),
      password: 'password-ok',
      emailVerified: true,
    });
    expect(user.username).toHaveLength(191);
    expect(user.emailVerified).toBe(false);
  });

  it('verifyCredentials returns the user for the right password, any username case', async () => {
    const created = await users.create({ username: 'carol', password: 'carol-password' });
    expect(await users.verifyCredentials('carol', 'carol-password')).toEqual(created);
    expect(await users.verifyCredentials('CAROL', 'carol-password')).toEqual(created);
  });

  it('verifyCredentials returns null for a wrong password, an unknown user and junk input', async () => {
    await users.create({ username: 'dave', password: 'dave-password' });
    expect(await users.verifyCredentials('dave', 'Dave-password')).toBeNull();
    expect(await users.verifyCredentials('dave', '')).toBeNull();
    expect(await users.verifyCredentials('dave', 'd'.repeat(5000))).toBeNull();
    expect(await users.verifyCredentials('nobody', 'dave-password')).toBeNull();
    expect(await users.verifyCredentials('', 'dave-password')).toBeNull();
    expect(await users.verifyCredentials('bad name', 'dave-password')).toBeNull();
    expect(
      await users.verifyCredentials(undefined as unknown as string, 'dave-password'),
    ).toBeNull();
  });

  it('normalises passwords with NFKC, so compatibility forms of the same text match', async () => {
    // U+FF30 FULLWIDTH LATIN CAPITAL LETTER P normalises to "P".
    await users.create({ username: 'erin', password: '\uFF30assword-erin' });
    expect(await users.verifyCredentials('erin', 'Password-erin')).not.toBeNull();
  });

  it('upgrades a hash made with weaker parameters at the next login, keeping updated_at', async () => {
    const user = await users.create({ username: 'frank', password: 'frank-password' });
    const weak = await argon2.hash('frank-password', {
      type: argon2.argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await t.dataSource.query('UPDATE users SET password_hash = ? WHERE id = ?', [weak, user.id]);
    const [before] = await rows('id = ?', [user.id]);
    expect(await users.verifyCredentials('frank', 'frank-password')).not.toBeNull();
    const [after] = await rows('id = ?', [user.id]);
    expect(after.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(new Date(after.updated_at).getTime()).toBe(new Date(before.updated_at).getTime());
    expect(await users.verifyCredentials('frank', 'frank-password')).not.toBeNull();
  });

  it('returns null from verifyCredentials when a stored hash is unreadable, instead of throwing', async () => {
    const user = await users.create({ username: 'grace', password: 'grace-password' });
    await t.dataSource.query('UPDATE users SET password_hash = ? WHERE id = ?', [
      'garbage',
      user.id,
    ]);
    expect(await users.verifyCredentials('grace', 'grace-password')).toBeNull();
  });

  it('findById returns null for unknown and malformed ids', async () => {
    expect(await users.findById('usr_01HZZZZZZZZZZZZZZZZZZZZZZZ')).toBeNull();
    expect(await users.findById('01HZZZZZZZZZZZZZZZZZZZZZZZ')).toBeNull();
    expect(await users.findById("usr_' OR 1=1 --")).toBeNull();
    expect(await users.findById('')).toBeNull();
  });

  it('claimsFor releases claims per scope (OIDC Core §5.4), sub always, only claims with values', async () => {
    const full = await users.create({
      username: 'heidi',
      password: 'heidi-password',
      email: 'heidi@example.com',
      name: 'Heidi H',
      givenName: 'Heidi',
      familyName: 'H',
    });
    expect(users.claimsFor(full, ['openid'])).toEqual({ sub: full.id });
    expect(users.claimsFor(full, ['openid', 'profile'])).toEqual({
      sub: full.id,
      name: 'Heidi H',
      given_name: 'Heidi',
      family_name: 'H',
      preferred_username: 'heidi',
      updated_at: full.updatedAt,
    });
    expect(users.claimsFor(full, ['openid', 'email'])).toEqual({
      sub: full.id,
      email: 'heidi@example.com',
      email_verified: false,
    });
    expect(
      Object.keys(users.claimsFor(full, ['openid', 'profile', 'email', 'offline_access'])),
    ).toHaveLength(8);

    const bare = await users.create({ username: 'ivan', password: 'ivan-password' });
    expect(users.claimsFor(bare, ['openid', 'profile', 'email'])).toEqual({
      sub: bare.id,
      preferred_username: 'ivan',
      updated_at: bare.updatedAt,
    });
  });
});
