import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CliIo, runKeysRotate, EXIT, runUserCreate } from '../src/cli/index.js';
import { KeyCacheService } from '../src/keys/index.js';
import { UsersService } from '../src/users/index.js';
import { controlClock } from './helpers/clock.js';
import { ensureBuilt, ROOT } from './helpers/dist.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';

const TEST_KEY = 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=';
/**
 * Time limit of a test that runs commands: they run at once with the other tests of their block, and on
 * a loaded 2-core machine each Node process takes seconds to start (a limit, not a measurement).
 */
const SPAWNS = 180_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function fakeIo(env: Record<string, string>, stdinText = ''): { io: CliIo; out: () => Run } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    io: { env, stdin: Readable.from([stdinText]), stdout, stderr },
    out: () => ({ code: -1, stdout: out, stderr: err }),
  };
}

describe(`CLIs: user:create and keys:rotate (${TEST_DB_TYPE})`, () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let t: TestApp;

  async function userCreate(argv: string[], extraEnv: Record<string, string> = {}, stdin = '') {
    const { io, out } = fakeIo({ ...env, ...extraEnv }, stdin);
    const code = await runUserCreate(argv, io);
    return { ...out(), code };
  }

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    // The CLI runs the migrations itself, like the server, against an empty database.
    env = { NODE_ENV: 'test', KEYS_ENCRYPTION_KEY: TEST_KEY, LOG_LEVEL: 'error', ...db.env };
    const first = await userCreate(['--username', 'root', '--password', 'root-password']);
    expect(first).toMatchObject({ code: EXIT.ok });
    t = await createTestApp({ database: db.env });
  });
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('creates a user from --password, prints only the id, and warns that argv is visible', async () => {
    const run = await userCreate([
      '--username',
      'alice',
      '--password',
      'alice-password',
      '--email',
      'alice@example.com',
      '--email-verified',
      '--name',
      'Alice Liddell',
      '--given-name',
      'Alice',
      '--family-name',
      'Liddell',
    ]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^usr_[0-9A-HJKMNP-TV-Z]{26}\n$/);
    expect(run.stderr).toMatch(/--password is visible/);
    expect(run.stderr).not.toContain('alice-password');
    const user = await t.app.get(UsersService).verifyCredentials('alice', 'alice-password');
    expect(user).toMatchObject({
      id: run.stdout.trim(),
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Liddell',
      givenName: 'Alice',
      familyName: 'Liddell',
    });
  });

  it('reads the password from AUTHMS_USER_PASSWORD', async () => {
    const run = await userCreate(['--username', 'bob'], { AUTHMS_USER_PASSWORD: 'bob-password' });
    expect(run).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(await t.app.get(UsersService).verifyCredentials('bob', 'bob-password')).not.toBeNull();
  });

  it('reads the password from the first line of stdin when neither is given', async () => {
    const run = await userCreate(['--username', 'carol'], {}, 'carol-password\nignored\n');
    expect(run.code).toBe(EXIT.ok);
    expect(
      await t.app.get(UsersService).verifyCredentials('carol', 'carol-password'),
    ).not.toBeNull();
  });

  it('fails with a clear message and exit 1 on a duplicate username, printing no id', async () => {
    const run = await userCreate(['--username', 'ROOT'], {
      AUTHMS_USER_PASSWORD: 'another-password',
    });
    expect(run.code).toBe(EXIT.failed);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/username "root" is already taken/);
  });

  it('fails with exit 1 on a password outside the policy, never echoing it', async () => {
    const run = await userCreate(['--username', 'dave'], { AUTHMS_USER_PASSWORD: 'short7!' });
    expect(run.code).toBe(EXIT.failed);
    expect(run.stderr).toMatch(/password must be 8-1024 characters/);
    expect(run.stderr).not.toContain('short7!');
    const empty = await userCreate(['--username', 'dave'], {}, '');
    expect(empty.code).toBe(EXIT.failed);
    expect(await t.app.get(UsersService).verifyCredentials('dave', 'short7!')).toBeNull();
  });

  it('exits 2 with usage on a missing username, unknown options or positionals', async () => {
    for (const argv of [[], ['--usernme', 'x'], ['alice'], ['--username']]) {
      const run = await userCreate(argv, { AUTHMS_USER_PASSWORD: 'irrelevant-pw' });
      expect(run.code, argv.join(' ')).toBe(EXIT.usage);
      expect(run.stderr).toMatch(/Usage: npm run user:create/);
      expect(run.stdout).toBe('');
    }
    const help = await userCreate(['--help']);
    expect(help).toMatchObject({
      code: EXIT.ok,
      stdout: expect.stringMatching(/AUTHMS_USER_PASSWORD/) as unknown,
    });
  });

  it('exits 1 naming the setting when the configuration is invalid', async () => {
    const run = await userCreate(['--username', 'erin'], {
      AUTHMS_USER_PASSWORD: 'erin-password',
      KEYS_ALG: 'HS256',
    });
    expect(run.code).toBe(EXIT.failed);
    expect(run.stderr).toMatch(/KEYS_ALG/);
  });

  it('keys:rotate prints only "<alg> <kid>" per algorithm in use; the staged keys are published at once and every instance signs with them from KEYS_PUBLISH_AHEAD on', async () => {
    // One time for the server and the in-process CLI, moved by the test.
    const clock = controlClock();
    const before = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { kid: string; alg: string }[];
    };
    // KEYS_ALG=ES256 for access tokens, TOKEN_ID_ALG=RS256 for ID tokens (the defaults).
    expect(before.keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    const { io, out } = fakeIo(env);
    const code = await runKeysRotate([], io);
    const run = out();
    expect(code).toBe(0);
    expect(run.stdout).toMatch(/^ES256 [\w-]{43}\nRS256 [\w-]{43}\n$/);
    expect(run.stderr).toMatch(
      /ES256 key [\w-]{43} staged: published now, signs from .* \(in 600 s\)/,
    );
    const kids = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[1]);
    for (const kid of kids) expect(before.keys.map((k) => k.kid)).not.toContain(kid);
    // Another process made them: this instance lists them once its cache is re-read.
    clock.advance(60);
    const staged = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { kid: string }[];
    };
    expect(staged.keys.map((k) => k.kid)).toEqual([...before.keys.map((k) => k.kid), ...kids]);
    clock.advance(540);
    const after = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { kid: string }[];
    };
    expect(after.keys.map((k) => k.kid).slice(0, 2)).toEqual(kids);
    expect(
      after.keys
        .map((k) => k.kid)
        .slice(2)
        .sort(),
    ).toEqual(before.keys.map((k) => k.kid).sort());
    vi.restoreAllMocks();
  });

  it('keys:rotate --alg rotates only the named algorithm; a bad option exits 2 with usage', async () => {
    // Past the activation of the keys staged by the test before.
    const clock = controlClock(undefined, 1200);
    const before = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { kid: string; alg: string }[];
    };
    const { io, out } = fakeIo(env);
    expect(await runKeysRotate(['--alg', 'RS256'], io)).toBe(0);
    expect(out().stdout).toMatch(/^RS256 [\w-]{43}\n$/);
    clock.advance(600);
    const after = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { kid: string; alg: string }[];
    };
    // The signing ES256 key is untouched; the RS256 one is new.
    expect(after.keys[0]).toEqual(before.keys[0]);
    expect(after.keys[1].alg).toBe('RS256');
    expect(after.keys[1].kid).toBe(out().stdout.trim().split(' ')[1]);
    vi.restoreAllMocks();

    for (const argv of [
      ['--alg', 'HS256'],
      ['--alg'],
      ['RS256'],
      ['--algo', 'RS256'],
      ['--now=1'],
    ]) {
      const bad = fakeIo(env);
      expect(await runKeysRotate(argv, bad.io), argv.join(' ')).toBe(2);
      expect(bad.out().stderr).toMatch(/Usage: npm run keys:rotate/);
      expect(bad.out().stdout).toBe('');
    }
  });

  it('keys:rotate --now (emergency) makes the new keys sign at once and withdraws the previous ones from the JWK Set', async () => {
    controlClock(undefined, 2400);
    const before = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { kid: string; alg: string }[];
    };
    const { io, out } = fakeIo(env);
    expect(await runKeysRotate(['--alg', 'ES256', '--now'], io)).toBe(0);
    expect(out().stdout).toMatch(/^ES256 [\w-]{43}\n$/);
    expect(out().stderr).toMatch(/ES256 key [\w-]{43} signs from now/);
    const kid = out().stdout.trim().split(' ')[1];
    // The instance re-reads its keys on the new kid of the first token it sees, or within a minute.
    await t.app.get(KeyCacheService).reload();
    const after = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { kid: string; alg: string }[];
    };
    expect(after.keys[0].kid).toBe(kid);
    const oldEs = before.keys.filter((k) => k.alg === 'ES256').map((k) => k.kid);
    for (const old of oldEs) expect(after.keys.map((k) => k.kid)).not.toContain(old);
    expect(after.keys.filter((k) => k.alg === 'RS256')).toEqual(
      before.keys.filter((k) => k.alg === 'RS256'),
    );
    vi.restoreAllMocks();
  });

  it('keys:rotate exits 1 with a message when the configuration is invalid', async () => {
    const { io, out } = fakeIo({ ...env, KEYS_ENCRYPTION_KEY: 'too-short' });
    expect(await runKeysRotate([], io)).toBe(1);
    expect(out().stderr).toMatch(/KEYS_ENCRYPTION_KEY/);
    expect(out().stderr).not.toContain('too-short');
  });
});

/**
 * The compiled entry points, as `npm run user:create` / `npm run keys:rotate` run them: from `dist/`,
 * which CI builds before testing. A missing or stale build is compiled once first (helpers/dist.ts).
 */
// The two tests run at once (`concurrent`): they mostly wait for the processes they start, and each has
// its own database (the command migrates it first, as the server does).
describe(`compiled CLI entry points (${TEST_DB_TYPE})`, { concurrent: true }, () => {
  let dist: string;
  const drops: (() => Promise<void>)[] = [];

  beforeAll(() => {
    dist = ensureBuilt();
  }, 240_000);
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  /** The settings of a command run against a new, empty database of its own. */
  async function freshEnv(): Promise<Record<string, string>> {
    const db = await createTestDatabase();
    drops.push(db.drop);
    return { NODE_ENV: 'test', KEYS_ENCRYPTION_KEY: TEST_KEY, ...db.env };
  }

  function run(
    script: string,
    args: string[],
    stdin: string,
    env: Record<string, string>,
  ): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [join(dist, 'src/cli', script), ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  it(
    'user-create.js reads the password from piped stdin, prints the id and exits 0; a duplicate exits 1',
    async () => {
      expect(existsSync(join(dist, 'src/cli/user-create.js'))).toBe(true);
      const env = await freshEnv();
      const ok = await run('user-create.js', ['--username', 'alice'], 'alice-password\n', env);
      expect(ok.stderr).toBe('');
      expect(ok).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^usr_\w{26}\n$/) as unknown,
      });
      const dup = await run('user-create.js', ['--username', 'alice'], 'alice-password\n', env);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/already taken/);
    },
    SPAWNS,
  );

  it(
    'keys-rotate.js prints one "<alg> <kid>" line per algorithm in use and exits 0; --alg picks one',
    async () => {
      const env = await freshEnv();
      const first = await run('keys-rotate.js', [], '', env);
      const second = await run('keys-rotate.js', ['--alg', 'ES256'], '', env);
      expect(first).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^ES256 [\w-]{43}\nRS256 [\w-]{43}\n$/) as unknown,
      });
      expect(second).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^ES256 [\w-]{43}\n$/) as unknown,
      });
      expect(first.stdout).not.toContain(second.stdout.trim());
    },
    SPAWNS,
  );
});
