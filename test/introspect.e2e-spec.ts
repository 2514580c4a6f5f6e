import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenEntity } from '../src/token/entities/access-token.entity.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, codeTokens, createUser, postForm, type User } from './helpers/token-flow.js';

const PATH = '/api/v1/oauth/introspect';

describe(`POST /oauth/introspect (RFC 7662) (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  let rs: { clientId: string; clientSecret?: string };
  let rsAuth: string;
  const introspect = (form: Record<string, string>, auth = rsAuth) =>
    postForm(t, form, { path: PATH, auth });

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
    // A resource server: a confidential client that only introspects.
    rs = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
      introspectAnyToken: true,
    });
    rsAuth = basic(rs.clientId, rs.clientSecret!);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('describes an active access token (RFC 7662 §2.2) to another authenticated client', async () => {
    const c = await seedClient(t);
    const tokens = await codeTokens(t, c, user.id);
    const res = await introspect({ token: tokens.access_token });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      active: true,
      scope: 'openid profile email offline_access',
      client_id: c.clientId,
      sub: user.id,
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: t.url,
      token_type: 'Bearer',
      aud: t.url,
      jti: expect.any(String),
      username: user.username,
    });
    expect(res.body.exp - res.body.iat).toBe(3600);
  });

  it('describes an active refresh token, with or without token_type_hint', async () => {
    const c = await seedClient(t);
    const tokens = await codeTokens(t, c, user.id);
    for (const hint of [undefined, 'refresh_token', 'access_token']) {
      const res = await introspect({
        token: tokens.refresh_token,
        ...(hint ? { token_type_hint: hint } : {}),
      });
      expect(res.body).toMatchObject({
        active: true,
        client_id: c.clientId,
        sub: user.id,
        scope: 'openid profile email offline_access',
      });
      expect(res.body.token_type).toBeUndefined();
    }
  });

  it('describes a client_credentials token with sub = client_id', async () => {
    const res = await postForm(t, { grant_type: 'client_credentials' }, { auth: rsAuth });
    const body = (await introspect({ token: res.body.access_token })).body;
    expect(body).toMatchObject({ active: true, sub: rs.clientId, client_id: rs.clientId });
    expect(body.username).toBeUndefined();
  });

  /** The SQL statements `run` sends (TypeORM's logger sees constant SQL and TypeORM's own alike). */
  const statementsOf = async (run: () => Promise<void>): Promise<string[]> => {
    const queries: string[] = [];
    const logger = t.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (q: string, ...rest) => {
      queries.push(q);
      return logQuery(q, ...rest);
    };
    const before = t.dataSource.options.logging;
    Object.assign(t.dataSource.options, { logging: ['query'] });
    try {
      await run();
    } finally {
      Object.assign(t.dataSource.options, { logging: before });
      logger.logQuery = logQuery;
    }
    // The rate limiter's counter is its own concern (off in the benchmarks).
    return queries.filter((q) => !/rate_limit_counters/.test(q));
  };

  it('introspects its own token in two statements: the caller read by authentication is not read again', async () => {
    const res = await postForm(t, { grant_type: 'client_credentials' }, { auth: rsAuth });
    const queries = await statementsOf(async () => {
      const body = (await introspect({ token: res.body.access_token })).body;
      expect(body).toMatchObject({ active: true, client_id: rs.clientId });
    });
    // The client with its secrets (authentication), then the token's row.
    expect(queries).toHaveLength(2);
    expect(queries.filter((q) => /FROM `access_tokens`/.test(q))).toHaveLength(1);
    expect(queries.filter((q) => /FROM `oauth_clients`/.test(q))).toHaveLength(1);
  });

  it('issues a client_credentials token in two statements once usage is recorded: the client, the INSERT', async () => {
    await postForm(t, { grant_type: 'client_credentials' }, { auth: rsAuth });
    const queries = await statementsOf(async () => {
      const res = await postForm(t, { grant_type: 'client_credentials' }, { auth: rsAuth });
      expect(res.status).toBe(200);
    });
    expect(queries).toHaveLength(2);
    expect(queries[1]).toMatch(/^INSERT INTO `access_tokens`/);
  });

  it('answers exactly {"active": false} for malformed, unknown, expired and revoked tokens', async () => {
    const c = await seedClient(t);
    const expired = await codeTokens(t, c, user.id);
    const revoked = await codeTokens(t, c, user.id);
    const jti = (tok: string) =>
      JSON.parse(Buffer.from(tok.split('.')[1], 'base64url').toString()).jti as string;
    const repo = t.dataSource.getRepository(AccessTokenEntity);
    await repo.update({ jti: jti(expired.access_token) }, { expiresAt: 1 });
    await postForm(
      t,
      { token: revoked.access_token },
      { path: '/api/v1/oauth/revoke', auth: basic(c.clientId, c.clientSecret!) },
    );
    const forged = `${revoked.access_token.slice(0, -4)}AAAA`;
    for (const token of [
      'garbage',
      'rt_unknown',
      'a.b.c',
      forged,
      expired.access_token,
      revoked.access_token,
    ]) {
      const res = await introspect({ token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ active: false });
    }
  });

  it('requires client authentication: 401 invalid_client without it or with a public client', async () => {
    const c = await seedClient(t);
    const tokens = await codeTokens(t, c, user.id);
    expectOAuthError(
      await postForm(t, { token: tokens.access_token }, { path: PATH }),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await introspect({ token: tokens.access_token }, basic(rs.clientId, 'sec_wrong')),
      401,
      'invalid_client',
    );
    const pub = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
    expectOAuthError(
      await postForm(t, { token: tokens.access_token, client_id: pub.clientId }, { path: PATH }),
      401,
      'invalid_client',
    );
  });

  it('answers 400 invalid_request without a token (RFC 7662 §2.1)', async () => {
    expectOAuthError(await introspect({}), 400, 'invalid_request');
    expectOAuthError(
      await request(t.url)
        .post(PATH)
        .set('Authorization', rsAuth)
        .send({ token: ['a', 'b'] }),
      400,
      'invalid_request',
    );
  });
});
