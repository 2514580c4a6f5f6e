import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  basic,
  codeTokens,
  createUser,
  issueCode,
  pkce,
  postForm,
  type User,
  introspect,
} from './helpers/token-flow.js';

const PATH = '/api/v1/oauth/revoke';

describe(`POST /oauth/revoke (RFC 7009) (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  const active = async (token: string, auth: string) =>
    (await introspect(t, token, auth)).body.active as boolean;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('revokes a refresh token and every token of its grant; answers 200 with no body', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const tokens = await codeTokens(t, c, user.id);
    const res = await postForm(t, { token: tokens.refresh_token }, { path: PATH, auth });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await active(tokens.refresh_token, auth)).toBe(false);
    expect(await active(tokens.access_token, auth)).toBe(false);
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { auth },
      ),
      400,
      'invalid_grant',
    );
  });

  it('revokes an access token alone (JSON body, token_type_hint)', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const tokens = await codeTokens(t, c, user.id);
    const res = await request(t.url)
      .post(PATH)
      .set('Authorization', auth)
      .send({ token: tokens.access_token, token_type_hint: 'access_token' });
    expect(res.status).toBe(200);
    expect(await active(tokens.access_token, auth)).toBe(false);
    expect(await active(tokens.refresh_token, auth)).toBe(true);
  });

  it('leaves tokens of another client alone but still answers 200 (RFC 7009 §2.1)', async () => {
    const owner = await seedClient(t);
    const other = await seedClient(t);
    const ownerAuth = basic(owner.clientId, owner.clientSecret!);
    const tokens = await codeTokens(t, owner, user.id);
    for (const token of [tokens.refresh_token, tokens.access_token]) {
      const res = await postForm(
        t,
        { token },
        { path: PATH, auth: basic(other.clientId, other.clientSecret!) },
      );
      expect(res.status).toBe(200);
      expect(await active(token, ownerAuth)).toBe(true);
    }
  });

  it('answers 200 for unknown and malformed tokens (RFC 7009 §2.2)', async () => {
    const c = await seedClient(t);
    for (const token of ['rt_unknown', 'nonsense', 'a.b.c']) {
      const res = await postForm(
        t,
        { token },
        { path: PATH, auth: basic(c.clientId, c.clientSecret!) },
      );
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
    }
  });

  it('lets a public client revoke its own refresh token with client_id only', async () => {
    const c = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
    const { verifier, challenge } = pkce();
    const code = await issueCode(t, {
      clientId: c.clientId,
      userId: user.id,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    const tokens = await postForm(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://app.example.com/callback',
      client_id: c.clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const res = await postForm(
      t,
      { token: tokens.body.refresh_token, client_id: c.clientId },
      { path: PATH },
    );
    expect(res.status).toBe(200);
    expectOAuthError(
      await postForm(t, {
        grant_type: 'refresh_token',
        refresh_token: tokens.body.refresh_token,
        client_id: c.clientId,
      }),
      400,
      'invalid_grant',
    );
  });

  it('answers 400 invalid_request without a token and 401 invalid_client without authentication', async () => {
    const c = await seedClient(t);
    expectOAuthError(
      await postForm(t, {}, { path: PATH, auth: basic(c.clientId, c.clientSecret!) }),
      400,
      'invalid_request',
    );
    expectOAuthError(await postForm(t, { token: 'rt_x' }, { path: PATH }), 401, 'invalid_client');
    const res = await postForm(
      t,
      { token: 'rt_x' },
      { path: PATH, auth: basic(c.clientId, 'sec_wrong') },
    );
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
  });
});
