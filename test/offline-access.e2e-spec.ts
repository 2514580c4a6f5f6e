import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient, type SeededClient } from './helpers/clients.js';
import {
  authorize,
  AUTHORIZE_PATH,
  CookieJar,
  createUser,
  parseForm,
  send,
} from './helpers/login-flow.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REDIRECT = 'https://app.example.com/callback';

// Issue 7 item 8, OIDC Core §11: an OpenID Connect request gets a refresh token only when it asked for
// offline_access and the user approved it on the consent page; plain OAuth requests keep RFC 6749's rule
// (the client's refresh_token grant decides).
describe(`refresh tokens and offline_access (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof createUser>>;
  let client: SeededClient;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
    client = await seedClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function tokensFor(scope: string, jar = new CookieJar()) {
    const { verifier, challenge } = pkce();
    const flow = await authorize(
      t,
      {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        scope,
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      user,
      { cookieJar: jar },
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const res = await postForm(
      t,
      {
        grant_type: 'authorization_code',
        code: flow.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      { auth: basic(client.clientId, client.clientSecret!) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { body: res.body as Record<string, string>, pages: flow.pages };
  }

  it('openid without offline_access: ID token and access token, no refresh token', async () => {
    const { body } = await tokensFor('openid profile');
    expect(body.id_token).toEqual(expect.any(String));
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBe('openid profile');
  });

  it('openid with offline_access: shown on the consent page, then a refresh token', async () => {
    const jar = new CookieJar();
    // Look at the consent page first: offline_access is listed in words.
    const { challenge } = pkce();
    const start = await send(
      jar,
      `${t.url}${AUTHORIZE_PATH}?${new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid offline_access',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString()}`,
    );
    const login = parseForm(
      (await send(jar, new URL(start.res.headers.get('location')!, t.url))).body,
    )!;
    const posted = await send(jar, `${t.url}/api/v1/oauth/login`, {
      form: { ...login.hidden, username: user.username, password: user.password },
    });
    const consent = await send(jar, new URL(posted.res.headers.get('location')!, t.url));
    expect(consent.body).toContain('Keep access when you are not using the application');
    expect(consent.body).toContain('(offline_access)');

    const { body } = await tokensFor('openid offline_access', jar);
    expect(body.refresh_token).toMatch(/^rt_/);
    expect(body.scope).toBe('openid offline_access');
    // The refreshed grant keeps offline_access and gets a new refresh token.
    const refreshed = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: body.refresh_token },
      { auth: basic(client.clientId, client.clientSecret!) },
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toMatch(/^rt_/);
  });

  it('a plain OAuth request (no openid) keeps getting a refresh token by the grant type alone', async () => {
    const { body } = await tokensFor('profile');
    expect(body.refresh_token).toMatch(/^rt_/);
    expect(body.id_token).toBeUndefined();
  });

  it('discovery lists offline_access in scopes_supported', async () => {
    const res = await request(t.url).get('/.well-known/openid-configuration').expect(200);
    expect(res.body.scopes_supported).toContain('offline_access');
  });
});
