import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { AuditService } from '../src/audit/index.js';
import { configureApp } from '../src/app.setup.js';
import {
  ClientRegistrationModule,
  type ClientRegistrationModuleOptions,
  type RegistrationPolicy,
} from '../src/client-registration/index.js';
import { OAuthError } from '../src/common/errors/oauth-error.js';
import { AppConfig } from '../src/config/index.js';
import { holdRegistrationWritesUntil } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { testLogger } from './helpers/test-logger.js';
import {
  createTestApp,
  createTestDatabase,
  freePort,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';

const REGISTER = '/api/v1/oauth/register';
/** The standard endpoint with flat bodies (RFC 7591), mounted by every configuration of the module. */
const FLAT_REGISTER = '/connect/register';
const valid = { redirect_uris: ['https://app.example.com/callback'] };

/** Boots the real app with `registration` replacing the default module (createTestApp cannot). */
async function bootWith(
  registration: DynamicModule,
): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const db = await createTestDatabase();
  const env = {
    NODE_ENV: 'test',
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'error',
    KEYS_ENCRYPTION_KEY: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=',
    ...db.env,
  };
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ env, registration }),
      {
        bodyParser: false,
        logger: false,
        abortOnError: false,
      },
    );
  } catch (e) {
    await db.drop();
    throw e;
  }
  configureApp(app);
  // configureApp installs the JSON logger; tests keep theirs (quiet unless a test fails).
  app.useLogger(testLogger);
  await app.listen(port, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

/** A policy that requires a client_name: proves the REGISTRATION_POLICY hook runs on register and update. */
const requireName: RegistrationPolicy = {
  validate: (m) => {
    if (!m.clientName) throw OAuthError.invalidClientMetadata('client_name is required by policy');
  },
};

@Injectable()
class OptionsFactory {
  constructor(private readonly config: AppConfig) {}
  createRegistrationOptions(): ClientRegistrationModuleOptions {
    return { rotateAccessToken: !this.config.registration.rotateAccessToken, policy: requireName };
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsFactoryModule {}

const styles: [string, () => DynamicModule][] = [
  [
    'forRoot',
    () =>
      ClientRegistrationModule.forRoot({
        rotateAccessToken: false,
        policy: requireName,
      }),
  ],
  [
    'forRootAsync useFactory',
    () =>
      ClientRegistrationModule.forRootAsync({
        inject: [AppConfig],
        useFactory: (c: AppConfig) => ({
          rotateAccessToken: !c.registration.rotateAccessToken,
          policy: requireName,
        }),
      }),
  ],
  [
    'forRootAsync useClass',
    () => ClientRegistrationModule.forRootAsync({ useClass: OptionsFactory }),
  ],
  [
    'forRootAsync useExisting',
    () =>
      ClientRegistrationModule.forRootAsync({
        imports: [OptionsFactoryModule],
        useExisting: OptionsFactory,
      }),
  ],
];

describe.each(styles)(
  `ClientRegistrationModule configured with %s (${TEST_DB_TYPE})`,
  (_name, make) => {
    let s: { url: string; close: () => Promise<void> };
    beforeAll(async () => {
      s = await bootWith(make());
    });
    afterAll(async () => {
      await s?.close();
    });

    it('applies its options (policy hook, no rotation) at the standard endpoint', async () => {
      const refused = await request(s.url).post(FLAT_REGISTER).send(valid);
      expectOAuthError(refused, 400, 'invalid_client_metadata');
      expect(refused.body.error_description).toContain('policy');

      const reg = await request(s.url)
        .post(FLAT_REGISTER)
        .send({ ...valid, client_name: 'ok' })
        .expect(201);
      const { client_id: id, registration_access_token: token } = reg.body as Record<
        string,
        string
      >;
      expect(id).toBeDefined();
      const put = (body: object) =>
        request(s.url).put(`${FLAT_REGISTER}/${id}`).auth(token, { type: 'bearer' }).send(body);
      expectOAuthError(await put(valid), 400, 'invalid_client_metadata');
      const upd = await put({ ...valid, client_name: 'still ok' }).expect(200);
      expect(upd.body.registration_access_token).toBe(token);
      await put({ ...valid, client_name: 'again' }).expect(200);
    });
  },
);

describe(`registration settings from the environment (${TEST_DB_TYPE})`, () => {
  const IAT = 'initial-access-token-0123456789';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        REGISTRATION_INITIAL_ACCESS_TOKENS: `other-token-abcdefghijklmnop, ${IAT}`,
        REGISTRATION_ROTATE_ACCESS_TOKEN: 'false',
        REGISTRATION_SECRET_TTL: '3600',
        REGISTRATION_DEFAULT_SCOPE: 'openid',
        REGISTRATION_ALLOW_HTTP_LOOPBACK: 'false',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('requires an initial access token when configured (RFC 7591 §3)', async () => {
    expectOAuthError(await request(t.url).post(REGISTER).send(valid), 401, 'invalid_token');
    expectOAuthError(
      await request(t.url)
        .post(REGISTER)
        .auth('wrong-token-wrong-token', { type: 'bearer' })
        .send(valid),
      401,
      'invalid_token',
    );
    const ok = await request(t.url)
      .post(REGISTER)
      .auth(IAT, { type: 'bearer' })
      .send(valid)
      .expect(201);
    expect(ok.body.data.scope).toBe('openid');
    // REGISTRATION_SECRET_TTL sets client_secret_expires_at (RFC 7591 §3.2.1).
    expect(ok.body.data.client_secret_expires_at).toBe(ok.body.data.client_id_issued_at + 3600);
  });

  it('keeps the registration access token when rotation is switched off', async () => {
    const reg = await request(t.url)
      .post(REGISTER)
      .auth(IAT, { type: 'bearer' })
      .send(valid)
      .expect(201);
    const { client_id: id, registration_access_token: token } = reg.body.data as Record<
      string,
      string
    >;
    const upd = await request(t.url)
      .put(`${REGISTER}/${id}`)
      .auth(token, { type: 'bearer' })
      .send({ ...valid, client_name: 'x' })
      .expect(200);
    expect(upd.body.data.registration_access_token).toBe(token);
    await request(t.url).get(`${REGISTER}/${id}`).auth(token, { type: 'bearer' }).expect(200);
  });

  it('lets every one of 10 parallel PUTs with one token succeed when rotation is off (last writer wins)', async () => {
    const reg = await request(t.url)
      .post(REGISTER)
      .auth(IAT, { type: 'bearer' })
      .send(valid)
      .expect(201);
    const { client_id: id, registration_access_token: token } = reg.body.data as Record<
      string,
      string
    >;
    const bodies = Array.from({ length: 10 }, (_, i) => ({
      ...valid,
      redirect_uris: [`https://r${i}.example.com/cb`],
      client_name: `writer ${i}`,
    }));
    // Issue 7 item 15: the token stays valid, so no writer may be told 401 invalid_token. All ten
    // authenticate (and read the same version) before any writes.
    holdRegistrationWritesUntil(t, bodies.length);
    const results = await Promise.all(
      bodies.map((b) =>
        request(t.url).put(`${REGISTER}/${id}`).auth(token, { type: 'bearer' }).send(b),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    for (const r of results) expect(r.body.data.registration_access_token).toBe(token);
    // The record is one writer's body as a whole, never a mix.
    const read = await request(t.url)
      .get(`${REGISTER}/${id}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    const i = bodies.findIndex((b) => b.client_name === read.body.data.client_name);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(read.body.data.redirect_uris).toEqual(bodies[i].redirect_uris);
    // Still exactly one secret, the registered one.
    const secrets: unknown[] = await t.dataSource.query(
      'SELECT id FROM client_secrets WHERE client_id = ?',
      [id],
    );
    expect(secrets).toHaveLength(1);
  });

  it('writes the whole body when the client changed between the read and the UPDATE (last writer wins)', async () => {
    const reg = await request(t.url)
      .post(REGISTER)
      .auth(IAT, { type: 'bearer' })
      .send({ ...valid, client_name: 'before' })
      .expect(201);
    const { client_id: id, registration_access_token: token } = reg.body.data as Record<
      string,
      string
    >;
    const [before] = await t.dataSource.query<{ version: number; updated_at: unknown }[]>(
      'SELECT version, updated_at FROM oauth_clients WHERE id = ?',
      [id],
    );
    // Another writer (an administrator, another instance) changes two columns this PUT leaves as read,
    // after the PUT authenticated and before its UPDATE. The PUT's body replaces the record as a
    // whole (RFC 7592 §2.2), so neither survives: writing only the columns that differ from the row
    // read would leave a mixed record.
    const audit = t.app.get(AuditService);
    const transaction = audit.transaction.bind(audit);
    const spy = vi.spyOn(audit, 'transaction').mockImplementationOnce(async (work) => {
      await t.dataSource.query(
        "UPDATE oauth_clients SET client_uri = 'https://elsewhere.example.com', " +
          'contacts = \'["x@example.com"]\', version = version + 1 WHERE id = ?',
        [id],
      );
      return transaction(work);
    });
    try {
      await request(t.url)
        .put(`${REGISTER}/${id}`)
        .auth(token, { type: 'bearer' })
        .send({ ...valid, client_name: 'after' })
        .expect(200);
    } finally {
      spy.mockRestore();
    }
    const read = await request(t.url)
      .get(`${REGISTER}/${id}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(read.body.data.client_name).toBe('after');
    expect(read.body.data).not.toHaveProperty('client_uri');
    expect(read.body.data).not.toHaveProperty('contacts');
    // The version moved past the other writer's, and updated_at was set, as TypeORM's update did.
    const [after] = await t.dataSource.query<{ version: number; updated_at: unknown }[]>(
      'SELECT version, updated_at FROM oauth_clients WHERE id = ?',
      [id],
    );
    expect(Number(after.version)).toBe(Number(before.version) + 2);
    expect(after.updated_at).not.toBeNull();
  });

  it('bumps the version once and keeps the other columns when a PUT changes one field', async () => {
    const body = { ...valid, client_name: 'one', contacts: ['a@example.com'], scope: 'openid' };
    const reg = await request(t.url).post(REGISTER).auth(IAT, { type: 'bearer' }).send(body);
    expect(reg.status).toBe(201);
    const { client_id: id, registration_access_token: token } = reg.body.data as Record<
      string,
      string
    >;
    const cols =
      'version, client_name, name_key, contacts, redirect_uris, scope, registration_access_token_hash';
    const [before] = await t.dataSource.query<Record<string, unknown>[]>(
      `SELECT ${cols} FROM oauth_clients WHERE id = ?`,
      [id],
    );
    const upd = await request(t.url)
      .put(`${REGISTER}/${id}`)
      .auth(token, { type: 'bearer' })
      .send({ ...body, client_name: 'Two' })
      .expect(200);
    expect(upd.headers.etag).toBe(`"v${Number(before.version) + 1}"`);
    const [after] = await t.dataSource.query<Record<string, unknown>[]>(
      `SELECT ${cols} FROM oauth_clients WHERE id = ?`,
      [id],
    );
    expect(after).toEqual({
      ...before,
      version:
        typeof before.version === 'string'
          ? String(Number(before.version) + 1)
          : Number(before.version) + 1,
      client_name: 'Two',
      name_key: 'two',
    });
  });

  it('refuses http loopback redirect URIs for web clients when disallowed', async () => {
    const res = await request(t.url)
      .post(REGISTER)
      .auth(IAT, { type: 'bearer' })
      .send({ redirect_uris: ['http://127.0.0.1:8080/cb'] });
    expectOAuthError(res, 400, 'invalid_redirect_uri');
  });

  it('refuses contradictory options at start-up', async () => {
    await expect(
      bootWith(ClientRegistrationModule.forRoot({ defaultScope: 'openid admin' })),
    ).rejects.toThrow(/defaultScope/);
  });
});
