import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAuditLogEntity } from '../src/audit/index.js';
import { type CliIo, runClientCreate, runUserCreate } from '../src/cli/index.js';
import { UsersService } from '../src/users/index.js';
import { ADMIN_CLIENTS } from './helpers/admin.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { basic, postForm } from './helpers/token-flow.js';

const TEST_KEY = 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=';

function fakeIo(env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io: CliIo = { env, stdin: Readable.from(['']), stdout, stderr };
  return { io, out: () => ({ stdout: out, stderr: err }) };
}

// The operator's CLIs of the administration plane (issue 8), run in-process against the database of a
// running test app: `client:create --admin` and `user:create --role admin`.
describe(`CLIs: client:create --admin and user:create --role (${TEST_DB_TYPE})`, () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let t: TestApp;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    env = { NODE_ENV: 'test', KEYS_ENCRYPTION_KEY: TEST_KEY, LOG_LEVEL: 'error', ...db.env };
    t = await createTestApp({ database: db.env });
  });
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  async function clientCreate(argv: string[]) {
    const { io, out } = fakeIo(env);
    const code = await runClientCreate(argv, io);
    return { code, ...out() };
  }

  it('client:create --admin prints exactly one JSON object whose credentials get an admin token', async () => {
    const run = await clientCreate(['--name', 'ops', '--admin']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const creds = JSON.parse(lines[0]) as { client_id: string; client_secret: string };
    expect(Object.keys(creds).sort()).toEqual(['client_id', 'client_secret']);
    expect(creds.client_secret).toMatch(/^sec_/);
    expect(run.stderr).not.toContain(creds.client_secret);

    const token = await postForm(
      t,
      { grant_type: 'client_credentials', scope: 'admin' },
      { auth: basic(creds.client_id, creds.client_secret) },
    );
    expect(token.status).toBe(200);
    expect((token.body as { scope: string }).scope).toBe('admin');
    const list = await request(t.url)
      .get(ADMIN_CLIENTS)
      .set('Authorization', `Bearer ${(token.body as { access_token: string }).access_token}`);
    expect(list.status).toBe(200);

    const rows = await t.dataSource
      .getRepository(ClientAuditLogEntity)
      .find({ where: { clientId: creds.client_id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operation: 'client.created', actorType: 'cli', actorId: null });
    expect(rows[0].changes).toMatchObject({ admin_access: { to: true } });
    expect(JSON.stringify(rows)).not.toContain(creds.client_secret);
  });

  it('client:create without --admin makes a client that cannot obtain admin', async () => {
    const run = await clientCreate(['--name', 'plain', '--scope', 'profile']);
    expect(run.code).toBe(0);
    const creds = JSON.parse(run.stdout) as { client_id: string; client_secret: string };
    const token = await postForm(
      t,
      { grant_type: 'client_credentials', scope: 'admin' },
      { auth: basic(creds.client_id, creds.client_secret) },
    );
    expect(token.status).toBe(400);
    expect((token.body as { error: string }).error).toBe('invalid_scope');
    // Asking for admin without --admin is refused outright.
    const refused = await clientCreate(['--name', 'sneaky', '--scope', 'admin']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/admin is reserved/);
  });

  it('client:create exits 2 with usage on a bad command line and 1 on invalid metadata', async () => {
    expect((await clientCreate([])).code).toBe(2);
    expect((await clientCreate(['--name', 'x', '--bogus'])).code).toBe(2);
    const bad = await clientCreate(['--name', 'x', '--redirect-uri', 'javascript:alert(1)']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
  });

  it('user:create --role admin gives the role; an unknown role is refused', async () => {
    const { io, out } = fakeIo({ ...env, AUTHMS_USER_PASSWORD: 'admin-password-1' });
    expect(await runUserCreate(['--username', 'alice-admin', '--role', 'admin'], io)).toBe(0);
    const id = out().stdout.trim();
    expect((await t.app.get(UsersService).findById(id))?.roles).toEqual(['admin']);
    expect(await t.app.get(UsersService).hasRole(id, 'admin')).toBe(true);

    const other = fakeIo({ ...env, AUTHMS_USER_PASSWORD: 'admin-password-1' });
    expect(await runUserCreate(['--username', 'bob', '--role', 'root'], other.io)).toBe(1);
    expect(other.out().stderr).toMatch(/unknown role/);
  });
});
