import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Base64Url, sha256Hex } from '../src/common/crypto/tokens.js';
import { ClientEntity } from '../src/client-registration/index.js';
import { AuthorizationCodeEntity } from '../src/token/entities/authorization-code.entity.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  assertion,
  basic,
  clientKey,
  createUser,
  issueCode,
  JWT_BEARER,
  pkce,
  postForm,
  type User,
  introspect,
} from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';

describe(`authorization_code grant (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores only the SHA-256 hash of an issued code (DESIGN.md credentials)', async () => {
    const c = await seedClient(t);
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const rows = await t.dataSource.getRepository(AuthorizationCodeEntity).find();
    expect(rows.some((r) => r.codeHash === sha256Hex(code))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it('exchanges a code for access, refresh and ID tokens (RFC 6749 §4.1.3, OIDC Core §3.1.3.3)', async () => {
    const c = await seedClient(t);
    const { verifier, challenge } = pkce();
    const code = await issueCode(t, {
      clientId: c.clientId,
      userId: user.id,
      nonce: 'n-0S6_WzA2Mj',
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    const res = await postForm(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      { auth: basic(c.clientId, c.clientSecret!) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid profile email offline_access',
      refresh_token: expect.stringMatching(/^rt_[A-Za-z0-9_-]{43}$/),
      id_token: expect.any(String),
    });
    const jwks = createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`));
    const at = await jwtVerify(res.body.access_token, jwks, { issuer: t.url, typ: 'at+jwt' });
    expect(at.payload).toMatchObject({
      iss: t.url,
      sub: user.id,
      aud: t.url,
      client_id: c.clientId,
      scope: 'openid profile email offline_access',
    });
    const id = await jwtVerify(res.body.id_token, jwks, { issuer: t.url, audience: c.clientId });
    expect(id.payload).toMatchObject({
      sub: user.id,
      aud: c.clientId,
      azp: c.clientId,
      nonce: 'n-0S6_WzA2Mj',
    });
    // TOKEN_ID_ALG defaults to RS256 (OIDC Registration §2), KEYS_ALG to ES256: two keys, both published.
    expect(id.protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(at.protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(id.protectedHeader.kid).not.toBe(at.protectedHeader.kid);
    expect(typeof id.payload.auth_time).toBe('number');
    const digest = Buffer.from(sha256Base64Url(res.body.access_token), 'base64url');
    expect(id.payload.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));
    // The refresh token is stored hashed only.
    const raw = await t.dataSource.query('SELECT token_hash FROM refresh_tokens');
    expect(JSON.stringify(raw)).toContain(sha256Hex(res.body.refresh_token));
    expect(JSON.stringify(raw)).not.toContain(res.body.refresh_token);
  });

  it('issues no refresh token to a client without the refresh_token grant, no ID token without openid', async () => {
    const c = await seedClient(t, { grantTypes: ['authorization_code'] });
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id, scopes: ['profile'] });
    const res = await postForm(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      { auth: basic(c.clientId, c.clientSecret!) },
    );
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body.id_token).toBeUndefined();
    expect(res.body.scope).toBe('profile');
  });

  it('works for a public client with PKCE (method none)', async () => {
    const c = await seedClient(t, { tokenEndpointAuthMethod: 'none', applicationType: 'native' });
    const { verifier, challenge } = pkce();
    const code = await issueCode(t, {
      clientId: c.clientId,
      userId: user.id,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    const res = await postForm(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: c.clientId,
      code_verifier: verifier,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refresh_token).toMatch(/^rt_/);
  });

  it('works with client_secret_post and with private_key_jwt', async () => {
    const post = await seedClient(t, { tokenEndpointAuthMethod: 'client_secret_post' });
    const code1 = await issueCode(t, { clientId: post.clientId, userId: user.id });
    const r1 = await postForm(t, {
      grant_type: 'authorization_code',
      code: code1,
      redirect_uri: REDIRECT,
      client_id: post.clientId,
      client_secret: post.clientSecret!,
    });
    expect(r1.status).toBe(200);

    const key = await clientKey();
    const jwt = await seedClient(t, {
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
    });
    const code2 = await issueCode(t, { clientId: jwt.clientId, userId: user.id });
    const r2 = await postForm(t, {
      grant_type: 'authorization_code',
      code: code2,
      redirect_uri: REDIRECT,
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(key, jwt.clientId, `${t.url}/api/v1/oauth/token`),
    });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
  });

  it('refuses a second use of a code and revokes the tokens of the first (RFC 6749 §4.1.2)', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    const first = await postForm(t, form, { auth });
    expect(first.status).toBe(200);
    expect((await introspect(t, first.body.access_token, auth)).body.active).toBe(true);
    const second = await postForm(t, form, { auth });
    expectOAuthError(second, 400, 'invalid_grant');
    expect((await introspect(t, first.body.access_token, auth)).body).toEqual({ active: false });
    expect((await introspect(t, first.body.refresh_token, auth)).body).toEqual({ active: false });
    const refresh = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
      { auth },
    );
    expectOAuthError(refresh, 400, 'invalid_grant');
  });

  it('lets exactly one of two concurrent redemptions of a code win', async () => {
    const c = await seedClient(t);
    const auth = basic(c.clientId, c.clientSecret!);
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    const results = await Promise.all([1, 2, 3].map(() => postForm(t, form, { auth })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });

  describe('PKCE (RFC 7636 §4.6, S256 only)', () => {
    it('refuses a wrong verifier, a missing verifier and a malformed verifier', async () => {
      const c = await seedClient(t);
      const auth = basic(c.clientId, c.clientSecret!);
      const { challenge } = pkce();
      const code = await issueCode(t, {
        clientId: c.clientId,
        userId: user.id,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      });
      const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
      expectOAuthError(
        await postForm(t, { ...base, code_verifier: pkce().verifier }, { auth }),
        400,
        'invalid_grant',
      );
      expectOAuthError(await postForm(t, base, { auth }), 400, 'invalid_grant');
      expectOAuthError(
        await postForm(t, { ...base, code_verifier: 'too-short' }, { auth }),
        400,
        'invalid_request',
      );
    });

    it('refuses a verifier when the authorization request had no challenge', async () => {
      const c = await seedClient(t);
      const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
      expectOAuthError(
        await postForm(
          t,
          {
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT,
            code_verifier: pkce().verifier,
          },
          { auth: basic(c.clientId, c.clientSecret!) },
        ),
        400,
        'invalid_grant',
      );
    });

    it('refuses a public client code that was issued without PKCE', async () => {
      const c = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
      const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
      expectOAuthError(
        await postForm(t, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          client_id: c.clientId,
        }),
        400,
        'invalid_grant',
      );
    });

    it('refuses to mint a code bound to a plain challenge (RFC 9700 §2.1.1)', async () => {
      const c = await seedClient(t);
      await expect(
        issueCode(t, {
          clientId: c.clientId,
          userId: user.id,
          codeChallenge: 'x'.repeat(43),
          codeChallengeMethod: 'plain' as 'S256',
        }),
      ).rejects.toThrow(/S256/);
    });
  });

  describe('redirect_uri binding (RFC 6749 §4.1.3)', () => {
    it('refuses near-misses of the redirect URI used at the authorization endpoint', async () => {
      const c = await seedClient(t);
      const auth = basic(c.clientId, c.clientSecret!);
      const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
      for (const redirect_uri of [
        `${REDIRECT}/`,
        `${REDIRECT}?x=1`,
        REDIRECT.toUpperCase(),
        'https://app.example.com:8443/callback',
      ]) {
        expectOAuthError(
          await postForm(t, { grant_type: 'authorization_code', code, redirect_uri }, { auth }),
          400,
          'invalid_grant',
        );
      }
      // The code survives refused attempts and still works with the exact URI.
      const ok = await postForm(
        t,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        { auth },
      );
      expect(ok.status).toBe(200);
    });

    it('refuses a code whose redirect URI was unregistered since (RFC 7592 §2.2 update)', async () => {
      const c = await seedClient(t);
      const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
      await t.dataSource
        .getRepository(ClientEntity)
        .update({ id: c.clientId }, { redirectUris: ['https://app.example.com/other'] });
      const res = await postForm(
        t,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        { auth: basic(c.clientId, c.clientSecret!) },
      );
      expectOAuthError(res, 400, 'invalid_grant');
      expect(res.body.error_description).toMatch(/no longer registered/);
    });

    it('accepts a native loopback redirect that differs only in port (RFC 8252 §7.3)', async () => {
      const c = await seedClient(t, {
        applicationType: 'native',
        tokenEndpointAuthMethod: 'none',
        redirectUris: ['http://127.0.0.1/callback'],
      });
      const { verifier, challenge } = pkce();
      const redirectUri = 'http://127.0.0.1:53124/callback';
      const code = await issueCode(t, {
        clientId: c.clientId,
        userId: user.id,
        redirectUri,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      });
      const res = await postForm(t, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: c.clientId,
        code_verifier: verifier,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });

    it('requires redirect_uri when the authorization request had it', async () => {
      const c = await seedClient(t);
      const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
      expectOAuthError(
        await postForm(
          t,
          { grant_type: 'authorization_code', code },
          { auth: basic(c.clientId, c.clientSecret!) },
        ),
        400,
        'invalid_request',
      );
    });

    it('accepts an omitted redirect_uri when the authorization request omitted it', async () => {
      const c = await seedClient(t);
      const code = await issueCode(t, {
        clientId: c.clientId,
        userId: user.id,
        redirectUriProvided: false,
      });
      const res = await postForm(
        t,
        { grant_type: 'authorization_code', code },
        { auth: basic(c.clientId, c.clientSecret!) },
      );
      expect(res.status).toBe(200);
    });
  });

  it('refuses an expired code (RFC 6749 §4.1.2: short-lived)', async () => {
    const c = await seedClient(t);
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    await t.dataSource
      .getRepository(AuthorizationCodeEntity)
      .update({ codeHash: sha256Hex(code) }, { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const res = await postForm(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      { auth: basic(c.clientId, c.clientSecret!) },
    );
    expectOAuthError(res, 400, 'invalid_grant');
    expect(res.body.error_description).toMatch(/expired/);
  });

  it('refuses a code issued to another client, and an unknown code', async () => {
    const owner = await seedClient(t);
    const thief = await seedClient(t);
    const code = await issueCode(t, { clientId: owner.clientId, userId: user.id });
    const auth = basic(thief.clientId, thief.clientSecret!);
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        { auth },
      ),
      400,
      'invalid_grant',
    );
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'authorization_code', code: 'ac_unknown', redirect_uri: REDIRECT },
        { auth },
      ),
      400,
      'invalid_grant',
    );
    expectOAuthError(
      await postForm(t, { grant_type: 'authorization_code', redirect_uri: REDIRECT }, { auth }),
      400,
      'invalid_request',
    );
  });

  it('refuses the grant when the client is no longer registered for it (update takes effect at once)', async () => {
    const c = await seedClient(t, { grantTypes: ['client_credentials'], responseTypes: [] });
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        { auth: basic(c.clientId, c.clientSecret!) },
      ),
      400,
      'unauthorized_client',
    );
  });

  it('accepts a JSON body as well as a form (the contract habit)', async () => {
    const c = await seedClient(t);
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const res = await request(t.url)
      .post('/api/v1/oauth/token')
      .set('Authorization', basic(c.clientId, c.clientSecret!))
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(res.status).toBe(200);
  });
});

describe(`authorization code lifetime (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_CODE_TTL: '10' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores codes with AUTH_CODE_TTL seconds to live', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const before = Math.floor(Date.now() / 1000);
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const row = await t.dataSource
      .getRepository(AuthorizationCodeEntity)
      .findOneByOrFail({ codeHash: sha256Hex(code) });
    expect(row.expiresAt - before).toBeGreaterThanOrEqual(10);
    expect(row.expiresAt - before).toBeLessThanOrEqual(11);
  });
});

describe(`ID tokens with TOKEN_ID_ALG=ES256 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_ID_ALG: 'ES256' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('signs ID tokens with the ES256 key that also signs access tokens, at_hash with SHA-256', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const code = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const res = await postForm(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      { auth: basic(c.clientId, c.clientSecret!) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const idHeader = decodeProtectedHeader(res.body.id_token);
    expect(idHeader.alg).toBe('ES256');
    expect(idHeader.kid).toBe(decodeProtectedHeader(res.body.access_token).kid);
    const jwks = createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`));
    const id = await jwtVerify(res.body.id_token, jwks, { issuer: t.url, audience: c.clientId });
    const digest = createHash('sha256').update(res.body.access_token, 'ascii').digest();
    expect(id.payload.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));
  });
});
