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
  postForm,
  type User,
} from './helpers/token-flow.js';

const PATH = '/api/v1/oauth/userinfo';

describe(`GET|POST /oauth/userinfo (OIDC Core §5.3) (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  let client: { clientId: string; clientSecret?: string };

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t, { email: 'ada@example.com', name: 'Ada Lovelace' });
    client = await seedClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('returns sub plus the claims of the granted scopes (OIDC Core §5.4)', async () => {
    const all = await codeTokens(t, client, user.id, ['openid', 'profile', 'email']);
    const res = await request(t.url).get(PATH).set('Authorization', `Bearer ${all.access_token}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      sub: user.id,
      name: 'Ada Lovelace',
      preferred_username: user.username,
      email: 'ada@example.com',
      email_verified: true,
    });
    const openidOnly = await codeTokens(t, client, user.id, ['openid']);
    const minimal = await request(t.url)
      .get(PATH)
      .set('Authorization', `Bearer ${openidOnly.access_token}`);
    expect(minimal.body).toEqual({ sub: user.id });
  });

  it('accepts POST with the header or with a form access_token (RFC 6750 §2.2)', async () => {
    const tokens = await codeTokens(t, client, user.id, ['openid', 'email']);
    const header = await request(t.url)
      .post(PATH)
      .set('Authorization', `Bearer ${tokens.access_token}`);
    expect(header.status).toBe(200);
    const form = await postForm(t, { access_token: tokens.access_token }, { path: PATH });
    expect(form.status).toBe(200);
    expect(form.body).toEqual({ sub: user.id, email: 'ada@example.com', email_verified: true });
    // Both at once is ambiguous (RFC 6750 §2).
    expectOAuthError(
      await postForm(
        t,
        { access_token: tokens.access_token },
        { path: PATH, auth: `Bearer ${tokens.access_token}` },
      ),
      400,
      'invalid_request',
    );
  });

  it('answers 401 invalid_token with a Bearer challenge for missing, malformed, forged and revoked tokens', async () => {
    const tokens = await codeTokens(t, client, user.id);
    await postForm(
      t,
      { token: tokens.access_token },
      { path: '/api/v1/oauth/revoke', auth: basic(client.clientId, client.clientSecret!) },
    );
    const fresh = await codeTokens(t, client, user.id);
    const forged = fresh.access_token.replace(/\.[^.]+$/, '.AAAA');
    expectOAuthError(await request(t.url).get(PATH), 401, 'invalid_token');
    for (const auth of [
      'Basic abc',
      'Bearer',
      `Bearer ${forged}`,
      `Bearer ${tokens.access_token}`,
      `Bearer ${fresh.refresh_token}`,
      `Bearer ${fresh.id_token}`,
    ]) {
      const res = await request(t.url).get(PATH).set('Authorization', auth);
      expectOAuthError(res, 401, 'invalid_token');
    }
  });

  it('answers 403 insufficient_scope without openid, and refuses client_credentials tokens', async () => {
    const noOpenid = await codeTokens(t, client, user.id, ['profile']);
    const res = await request(t.url)
      .get(PATH)
      .set('Authorization', `Bearer ${noOpenid.access_token}`);
    expectOAuthError(res, 403, 'insufficient_scope');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="insufficient_scope"/);
    const cc = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
    });
    const ccToken = await postForm(
      t,
      { grant_type: 'client_credentials' },
      { auth: basic(cc.clientId, cc.clientSecret!) },
    );
    expectOAuthError(
      await request(t.url).get(PATH).set('Authorization', `Bearer ${ccToken.body.access_token}`),
      401,
      'invalid_token',
    );
  });

  it('refuses an access token whose audience is another resource (RFC 8707)', async () => {
    const code = await issueCode(t, { clientId: client.clientId, userId: user.id });
    const res = await postForm(
      t,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://app.example.com/callback',
        resource: 'https://api.example.com/',
      },
      { auth: basic(client.clientId, client.clientSecret!) },
    );
    expect(res.status).toBe(200);
    expectOAuthError(
      await request(t.url).get(PATH).set('Authorization', `Bearer ${res.body.access_token}`),
      401,
      'invalid_token',
    );
  });
});
