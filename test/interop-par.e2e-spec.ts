import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, createUser } from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REDIRECT = 'https://rp.example.com/cb';

// Client libraries nobody here wrote push their authorization requests (RFC 9126), found through
// discovery, then the browser goes through the real login and consent pages with the request_uri.
describe(`interoperability of pushed authorization requests (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('openid-client v6: buildAuthorizationUrlWithPAR, pages, code exchange', async () => {
    const insecure = { execute: [client.allowInsecureRequests] };
    const config = await client.dynamicClientRegistration(
      new URL(t.url),
      {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email',
        // The client asks to be held to PAR (RFC 9126 §6).
        require_pushed_authorization_requests: true,
      },
      client.ClientSecretBasic(),
      insecure,
    );
    expect(config.clientMetadata().require_pushed_authorization_requests).toBe(true);
    expect(config.serverMetadata().pushed_authorization_request_endpoint).toBe(
      `${t.url}/api/v1/oauth/pushed-authorization`,
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    // The browser carries only client_id and request_uri.
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const flow = await authorize(t, Object.fromEntries(url.searchParams), user);
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const tokens = await client.authorizationCodeGrant(config, flow.location, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()!.sub).toBe(user.id);
    expect(tokens.scope).toBe('openid email');

    // The same request_uri a second time: refused (one-time use).
    const again = await authorize(t, Object.fromEntries(url.searchParams), user).catch(
      (e: { status?: number; body?: string }) => e,
    );
    expect(again).toMatchObject({ status: 400 });
    expect((again as { body: string }).body).toContain('invalid_request_uri');
  });

  it('oauth4webapi: pushedAuthorizationRequest, pages, code exchange (public client)', async () => {
    const opts = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      new URL(t.url),
      await oauth.discoveryRequest(new URL(t.url), { algorithm: 'oauth2', ...opts }),
    );
    const reg = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        {
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          scope: 'openid profile',
        },
        opts,
      ),
    );
    const c: oauth.Client = { client_id: reg.client_id };
    const auth = oauth.None();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      c,
      await oauth.pushedAuthorizationRequest(
        as,
        c,
        auth,
        {
          redirect_uri: REDIRECT,
          response_type: 'code',
          scope: 'openid profile',
          state,
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        },
        opts,
      ),
    );
    expect(pushed.expires_in).toBe(60);
    const flow = await authorize(
      t,
      { client_id: c.client_id, request_uri: pushed.request_uri },
      user,
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const params = oauth.validateAuthResponse(as, c, flow.location, state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      c,
      await oauth.authorizationCodeGrantRequest(as, c, auth, params, REDIRECT, verifier, opts),
    );
    expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe(user.id);
  });
});
