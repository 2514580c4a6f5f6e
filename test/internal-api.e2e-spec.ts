import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConsentsService, LoginSessionsService } from '../src/authorize/index.js';
import { ClientAuditLogEntity } from '../src/audit/index.js';
import { ClientEntity } from '../src/client-registration/index.js';
import { ConsentEntity } from '../src/authorize/entities/consent.entity.js';
import { LoginSessionClientEntity } from '../src/authorize/entities/login-session-client.entity.js';
import { LoginSessionEntity } from '../src/authorize/entities/login-session.entity.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { expectSimpleError } from './helpers/oauth-assertions.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { testLogger } from './helpers/test-logger.js';
import {
  basic,
  codeTokens,
  createUser,
  introspect,
  postForm,
  type User,
} from './helpers/token-flow.js';

const INTROSPECT = '/api/v1/internal/oauth/introspect';
const CASCADE = '/api/v1/internal/oauth/revoke-user-tokens';
const CREATE = '/api/v1/internal/oauth/clients';

describe(`internal API without INTERNAL_API_KEYS (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 404 on every internal route: the API is off', async () => {
    for (const path of [INTROSPECT, CASCADE, CREATE]) {
      for (const key of [undefined, 'anything', 'x'.repeat(64)]) {
        const req = request(t.url).post(path).send({ token: 'x', user_id: 'u' });
        if (key) void req.set('X-API-Key', key);
        expectSimpleError(await req, 404, { error: 'not_found' });
      }
    }
  });
});

describe(`internal API (O51, O52) with X-API-Key (${TEST_DB_TYPE})`, () => {
  const identityKey = randomBytes(32).toString('hex');
  const bareKey = randomBytes(24).toString('base64url');
  let t: TestApp;
  let second: TestApp;
  let drop: (() => Promise<void>) | undefined;
  let client: SeededClient;
  let rsAuth: string;
  let user: User;

  const post = (app: TestApp, path: string, body: unknown, key: string | null = identityKey) => {
    const req = request(app.url).post(path);
    if (key !== null) void req.set('X-API-Key', key);
    return req.send(body as object);
  };

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const env = { INTERNAL_API_KEYS: `identity-service:${identityKey},${bareKey}` };
    t = await createTestApp({ database: db.env, env });
    second = await createTestApp({ database: db.env, env: { ...env, ISSUER: t.url } });
    client = await seedClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    const rs = await seedClient(t, { introspectAnyToken: true });
    rsAuth = basic(rs.clientId, rs.clientSecret!);
    user = await createUser(t);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    await drop?.();
  });

  it('answers 401 invalid_client without a valid X-API-Key, whatever else is wrong', async () => {
    for (const key of [
      null,
      '',
      'wrong',
      identityKey.slice(0, -1),
      `${identityKey}x`,
      'y'.repeat(600),
    ]) {
      expectSimpleError(await post(t, INTROSPECT, { token: 'x' }, key), 401, {
        error: 'invalid_client',
      });
      expectSimpleError(await post(t, CASCADE, {}, key), 401, { error: 'invalid_client' });
    }
  });

  it('accepts every configured key, named or bare', async () => {
    for (const key of [identityKey, bareKey]) {
      const res = await post(t, INTROSPECT, { token: 'rt_unknown' }, key);
      expect(res.status).toBe(200);
    }
  });

  it('O51 introspects any active token into the envelope: client_id, user_id, scope, exp', async () => {
    const tokens = await codeTokens(t, client, user.id);
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      const res = await post(t, INTROSPECT, { token });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ code: 200, message: expect.any(String) });
      expect(res.body.timestamp).toMatch(/Z$/);
      expect(res.body.data).toEqual({
        active: true,
        client_id: client.clientId,
        user_id: user.id,
        scope: 'openid profile email offline_access',
        exp: expect.any(Number),
      });
    }
    const cc = await postForm(
      t,
      { grant_type: 'client_credentials', scope: 'profile' },
      { auth: basic(client.clientId, client.clientSecret!) },
    );
    const res = await post(t, INTROSPECT, { token: cc.body.access_token as string });
    expect(res.body.data).toEqual({
      active: true,
      client_id: client.clientId,
      scope: 'profile',
      exp: expect.any(Number),
    });
  });

  it('O51 answers data {"active": false} for unknown, malformed and revoked tokens, and never changes a token', async () => {
    const tokens = await codeTokens(t, client, user.id);
    await postForm(
      t,
      { token: tokens.access_token },
      { path: '/api/v1/oauth/revoke', auth: basic(client.clientId, client.clientSecret!) },
    );
    for (const token of ['rt_unknown', 'a.b.c', 'garbage', tokens.access_token]) {
      const res = await post(t, INTROSPECT, { token });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ active: false });
    }
    // Introspecting the refresh token did not rotate or revoke it.
    expect((await post(t, INTROSPECT, { token: tokens.refresh_token })).body.data.active).toBe(
      true,
    );
    const refreshed = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { auth: basic(client.clientId, client.clientSecret!) },
    );
    expect(refreshed.status).toBe(200);
  });

  it('refuses bad bodies: 400 without token/user_id or with a wrong type, 415 for a form', async () => {
    for (const [path, body] of [
      [INTROSPECT, {}],
      [INTROSPECT, { token: '' }],
      [INTROSPECT, { token: 42 }],
      [INTROSPECT, { token: ['a'] }],
      [INTROSPECT, []],
      [CASCADE, {}],
      [CASCADE, { user_id: '   ' }],
      [CASCADE, { user_id: { $ne: null } }],
      [CASCADE, { user_id: 'u'.repeat(192) }],
    ] as const) {
      expectSimpleError(await post(t, path, body), 400, { error: 'invalid_request' });
    }
    const form = await request(t.url)
      .post(INTROSPECT)
      .set('X-API-Key', identityKey)
      .type('form')
      .send({ token: 'x' });
    expectSimpleError(form, 415, { error: 'invalid_request' });
  });

  it('O50 creates a client (201, secret once), recorded as internal and audited with the key id', async () => {
    const res = await post(t, CREATE, {
      name: 'Tenant default',
      redirect_uris: ['https://tenant.example.com/cb'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes: ['openid', 'profile'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      code: 201,
      data: { name: 'Tenant default', status: 'active' },
    });
    const data = res.body.data as { client_id: string; client_secret: string };
    expect(data.client_secret).toEqual(expect.any(String));
    const token = await postForm(
      t,
      { grant_type: 'client_credentials', scope: 'profile' },
      { auth: basic(data.client_id, data.client_secret) },
    );
    expect(token.status).toBe(200);
    const row = await t.dataSource
      .getRepository(ClientEntity)
      .findOneByOrFail({ id: data.client_id });
    expect(row.createdVia).toBe('internal');
    const audit = await t.dataSource
      .getRepository(ClientAuditLogEntity)
      .findOneByOrFail({ clientId: data.client_id, operation: 'client.created' });
    expect(audit).toMatchObject({ actorType: 'api_key', actorId: 'identity-service' });
    expect(JSON.stringify(audit)).not.toContain(data.client_secret);

    expectSimpleError(await post(t, CREATE, { name: 'x' }), 400, { error: 'invalid_request' });
    expectSimpleError(
      await post(t, CREATE, { name: 'x', redirect_uris: ['https://a.example/cb'] }, null),
      401,
      { error: 'invalid_client' },
    );
  });

  it('O52 revokes every token, deletes consents and login sessions, at once on every instance; a second call reports zero', async () => {
    const victim = await createUser(t);
    const other = await seedClient(t);
    const a = await codeTokens(t, client, victim.id);
    const b = await codeTokens(t, other, victim.id);
    const bystander = await codeTokens(t, client, user.id);
    await t.app.get(ConsentsService).grant(victim.id, client.clientId, ['openid']);
    await t.app.get(ConsentsService).grant(victim.id, other.clientId, ['openid']);
    await t.dataSource.getRepository(LoginSessionEntity).insert({
      idHash: randomBytes(32).toString('hex'),
      userId: victim.id,
      authTime: 1,
      createdAt: 1,
      expiresAt: 4_000_000_000,
    });
    // The session's client list (who gets a logout token) names the user: erased with the session.
    await t.dataSource.getRepository(LoginSessionClientEntity).insert({
      sid: randomBytes(16).toString('hex'),
      clientId: client.clientId,
      userId: victim.id,
      createdAt: 1,
      expiresAt: 4_000_000_000,
    });
    const logged = vi.spyOn(testLogger, 'log');

    const res = await post(t, CASCADE, { user_id: victim.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: expect.any(String) });
    expect(res.body.data).toEqual({
      revoked_access_tokens: 2,
      revoked_refresh_tokens: 2,
      deleted_consents: 2,
      deleted_login_sessions: 1,
    });
    for (const token of [a.access_token, a.refresh_token, b.access_token, b.refresh_token]) {
      expect((await introspect(second, token, rsAuth)).body).toEqual({ active: false });
    }
    expect((await introspect(second, bystander.refresh_token, rsAuth)).body.active).toBe(true);
    expect(await t.dataSource.getRepository(ConsentEntity).countBy({ userId: victim.id })).toBe(0);
    expect(await t.app.get(LoginSessionsService).deleteAllForUser(victim.id)).toBe(0);
    expect(
      await t.dataSource.getRepository(LoginSessionClientEntity).countBy({ userId: victim.id }),
    ).toBe(0);

    // Idempotent: the same call again succeeds and changes nothing.
    const again = await post(second, CASCADE, { user_id: victim.id }, bareKey);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({
      revoked_access_tokens: 0,
      revoked_refresh_tokens: 0,
      deleted_consents: 0,
      deleted_login_sessions: 0,
    });
    // An unknown user is not an error either (the identity service may call before any login).
    expect((await post(t, CASCADE, { user_id: 'usr_never_seen' })).status).toBe(200);

    // Audited on each client that lost tokens, with the key's id as actor; the repeat wrote nothing.
    const entries = await t.dataSource
      .getRepository(ClientAuditLogEntity)
      .find({ where: { operation: 'client.user_tokens_revoked' } });
    const victims = entries.filter((e) => JSON.stringify(e.changes).includes(victim.id));
    expect(victims.map((e) => e.clientId).sort()).toEqual([client.clientId, other.clientId].sort());
    for (const e of victims) {
      expect(e).toMatchObject({ actorType: 'api_key', actorId: 'identity-service' });
    }
    // The log names the key by its id, never the key.
    const text = JSON.stringify(logged.mock.calls);
    expect(text).toContain('identity-service');
    expect(text).not.toContain(identityKey);
    expect(text).not.toContain(bareKey);
  });
});
