import { createRemoteJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, createUser } from './helpers/login-flow.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';

// The whole journey over real HTTP: discovery -> dynamic registration -> /oauth/authorize through the
// real login and consent forms -> code exchange with PKCE -> userinfo -> refresh (and reuse detection)
// -> introspection -> revocation.
describe(`full authorization code journey (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('takes a dynamically registered client from discovery to revoked tokens', async () => {
    const meta = (await request(t.url).get('/.well-known/openid-configuration').expect(200))
      .body as Record<string, string>;
    const path = (url: string) => new URL(url).pathname;

    const reg = await request(t.url)
      .post(path(meta.registration_endpoint))
      .send({
        client_name: 'Journey App',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email offline_access',
      })
      .expect(201);
    // Discovery advertises the standard endpoint: flat RFC 7591 §3.2.1 body.
    const { client_id: clientId, client_secret: secret } = reg.body as Record<string, string>;
    const auth = basic(clientId, secret);

    const user = await createUser(t);
    const { verifier, challenge } = pkce();
    const flow = await authorize(
      t,
      {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        // offline_access: the refresh token of the journey (OIDC Core §11).
        scope: 'openid profile email offline_access',
        state: 'st-123',
        nonce: 'no-456',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { username: user.username, password: user.password },
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    expect(flow.state).toBe('st-123');
    expect(flow.iss).toBe(t.url);
    expect(flow.pages.length).toBeGreaterThanOrEqual(2); // login, then consent

    const tokenRes = await postForm(
      t,
      {
        grant_type: 'authorization_code',
        code: flow.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      { path: path(meta.token_endpoint), auth },
    );
    expect(tokenRes.status, JSON.stringify(tokenRes.body)).toBe(200);
    const tokens = tokenRes.body as Record<string, string>;
    const jwks = createRemoteJWKSet(new URL(meta.jwks_uri));
    const id = await jwtVerify(tokens.id_token, jwks, { issuer: t.url, audience: clientId });
    expect(id.payload).toMatchObject({ sub: user.id, nonce: 'no-456' });

    const info = await request(t.url)
      .get(path(meta.userinfo_endpoint))
      .set('Authorization', `Bearer ${tokens.access_token}`)
      .expect(200);
    expect(info.body).toMatchObject({ sub: user.id, email: `${user.username}@example.com` });

    // The code is single use.
    expectOAuthError(
      await postForm(
        t,
        {
          grant_type: 'authorization_code',
          code: flow.code!,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        },
        { path: path(meta.token_endpoint), auth },
      ),
      400,
      'invalid_grant',
    );
    // ...and its replay revoked what the first exchange issued.
    const introspect = async (token: string) =>
      (await postForm(t, { token }, { path: path(meta.introspection_endpoint), auth })).body as {
        active: boolean;
      };
    expect((await introspect(tokens.access_token)).active).toBe(false);

    // A second login (SSO session) yields a fresh grant for the rest of the journey.
    const again = pkce();
    const flow2 = await authorize(
      t,
      {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid profile email offline_access',
        state: 'st-2',
        code_challenge: again.challenge,
        code_challenge_method: 'S256',
      },
      { username: user.username, password: user.password },
      { cookieJar: flow.jar },
    );
    const second = (
      await postForm(
        t,
        {
          grant_type: 'authorization_code',
          code: flow2.code!,
          redirect_uri: REDIRECT,
          code_verifier: again.verifier,
        },
        { path: path(meta.token_endpoint), auth },
      )
    ).body as Record<string, string>;
    expect(second.refresh_token).toMatch(/^rt_/);

    const refreshed = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: second.refresh_token },
      { path: path(meta.token_endpoint), auth },
    );
    expect(refreshed.status).toBe(200);
    expect((await introspect(refreshed.body.access_token as string)).active).toBe(true);

    // Reuse of the rotated refresh token ends the family.
    expectOAuthError(
      await postForm(
        t,
        { grant_type: 'refresh_token', refresh_token: second.refresh_token },
        { path: path(meta.token_endpoint), auth },
      ),
      400,
      'invalid_grant',
    );
    expect(await introspect(refreshed.body.refresh_token as string)).toEqual({ active: false });
    expect(await introspect(refreshed.body.access_token as string)).toEqual({ active: false });

    // A third grant, revoked through the revocation endpoint.
    const third = pkce();
    const flow3 = await authorize(
      t,
      {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid offline_access',
        code_challenge: third.challenge,
        code_challenge_method: 'S256',
      },
      null,
      { cookieJar: flow.jar },
    );
    const thirdTokens = (
      await postForm(
        t,
        {
          grant_type: 'authorization_code',
          code: flow3.code!,
          redirect_uri: REDIRECT,
          code_verifier: third.verifier,
        },
        { path: path(meta.token_endpoint), auth },
      )
    ).body as Record<string, string>;
    expect((await introspect(thirdTokens.refresh_token)).active).toBe(true);
    const revoked = await postForm(
      t,
      { token: thirdTokens.refresh_token },
      { path: path(meta.revocation_endpoint), auth },
    );
    expect(revoked.status).toBe(200);
    expect(await introspect(thirdTokens.refresh_token)).toEqual({ active: false });
    expect(await introspect(thirdTokens.access_token)).toEqual({ active: false });
  });
});
