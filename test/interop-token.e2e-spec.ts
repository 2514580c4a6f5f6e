import { randomBytes } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, createUser as createLoginUser } from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { clientKey, createUser, issueCode, pkce, type User } from './helpers/token-flow.js';

const REDIRECT = 'https://rp.example.com/cb';

/**
 * The callback URL the authorization endpoint would redirect to (RFC 6749 §4.1.2 with RFC 9207 `iss`),
 * with a code minted by the real AuthorizationCodeService.
 */
async function callback(
  t: TestApp,
  input: { clientId: string; userId: string; challenge: string; nonce?: string; state: string },
): Promise<URL> {
  const code = await issueCode(t, {
    clientId: input.clientId,
    userId: input.userId,
    redirectUri: REDIRECT,
    // OIDC Core §11: a refresh token for an openid request needs offline_access.
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    codeChallenge: input.challenge,
    codeChallengeMethod: 'S256',
    nonce: input.nonce,
  });
  const url = new URL(REDIRECT);
  url.searchParams.set('code', code);
  url.searchParams.set('state', input.state);
  url.searchParams.set('iss', t.url);
  return url;
}

// Client libraries nobody here wrote run discovery, registration and every grant against the server.
describe(`interoperability of the token endpoints (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  const insecure = { execute: [client.allowInsecureRequests] };

  beforeAll(async () => {
    t = await createTestApp({
      env: { REGISTRATION_RATE_LIMIT: '0' },
    });
    user = await createUser(t, { email: 'interop@example.com', name: 'Interop User' });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('openid-client v6', () => {
    let config: client.Configuration;

    beforeAll(async () => {
      config = await client.dynamicClientRegistration(
        new URL(t.url),
        {
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          response_types: ['code'],
          scope: 'openid profile email offline_access',
          client_name: 'openid-client RP',
        },
        // The server holds the client to its registered method (client_secret_basic, the RFC 7591
        // default); openid-client would otherwise pick client_secret_post.
        client.ClientSecretBasic(),
        insecure,
      );
    });

    it('discovers the server metadata (RFC 8414 / OIDC Discovery)', () => {
      const meta = config.serverMetadata();
      expect(meta.issuer).toBe(t.url);
      expect(meta.token_endpoint).toBe(`${t.url}/api/v1/oauth/token`);
      expect(meta.introspection_endpoint).toBe(`${t.url}/api/v1/oauth/introspect`);
      expect(meta.revocation_endpoint).toBe(`${t.url}/api/v1/oauth/revoke`);
    });

    it('runs the authorization code flow with PKCE, userinfo, refresh, introspection and revocation', async () => {
      const { verifier, challenge } = pkce();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = await callback(t, {
        clientId: config.clientMetadata().client_id,
        userId: user.id,
        challenge,
        nonce,
        state,
      });
      const tokens = await client.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      expect(tokens.token_type).toBe('bearer');
      const claims = tokens.claims()!;
      expect(claims.sub).toBe(user.id);
      expect(claims.nonce).toBe(nonce);

      const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
      expect(info).toMatchObject({ sub: user.id, email: 'interop@example.com' });

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.claims()!.sub).toBe(user.id);

      const active = await client.tokenIntrospection(config, refreshed.access_token);
      expect(active).toMatchObject({ active: true, sub: user.id });
      await client.tokenRevocation(config, refreshed.refresh_token!);
      expect((await client.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);

      // Reuse of the rotated refresh token is refused.
      await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('runs the code flow through the real login and consent pages (buildAuthorizationUrl)', async () => {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const authUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid email',
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      expect(authUrl.href.startsWith(`${t.url}/api/v1/oauth/authorize?`)).toBe(true);
      const browserUser = await createLoginUser(t);
      const flow = await authorize(t, Object.fromEntries(authUrl.searchParams), {
        username: browserUser.username,
        password: browserUser.password,
      });
      expect(flow.error, flow.errorDescription).toBeUndefined();
      const tokens = await client.authorizationCodeGrant(config, flow.location, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      expect(tokens.claims()!.sub).toBe(browserUser.id);
      const info = await client.fetchUserInfo(config, tokens.access_token, browserUser.id);
      expect(info.email).toBe(`${browserUser.username}@example.com`);
    });

    it('runs client_credentials and introspects the result', async () => {
      const tokens = await client.clientCredentialsGrant(config, { scope: 'profile' });
      expect(tokens.scope).toBe('profile');
      const info = await client.tokenIntrospection(config, tokens.access_token);
      expect(info).toMatchObject({ active: true, client_id: config.clientMetadata().client_id });
    });

    it('authenticates with private_key_jwt (RFC 7523) using inline jwks', async () => {
      const key = await clientKey();
      const registered = await client.dynamicClientRegistration(
        new URL(t.url),
        {
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [key.publicJwk] },
          scope: 'profile',
        },
        client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
        insecure,
      );
      const tokens = await client.clientCredentialsGrant(registered);
      expect(tokens.scope).toBe('profile');
      expect((await client.tokenIntrospection(registered, tokens.access_token)).active).toBe(true);
    });
  });

  describe('oauth4webapi v3', () => {
    let as: oauth.AuthorizationServer;
    let c: oauth.Client;
    let auth: oauth.ClientAuth;
    const opts = { [oauth.allowInsecureRequests]: true };

    beforeAll(async () => {
      as = await oauth.processDiscoveryResponse(
        new URL(t.url),
        await oauth.discoveryRequest(new URL(t.url), { algorithm: 'oauth2', ...opts }),
      );
      const reg = await oauth.processDynamicClientRegistrationResponse(
        await oauth.dynamicClientRegistrationRequest(
          as,
          {
            redirect_uris: [REDIRECT],
            grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_post',
            scope: 'openid profile email offline_access',
          },
          opts,
        ),
      );
      c = { client_id: reg.client_id };
      auth = oauth.ClientSecretPost(reg.client_secret as string);
    });

    it('runs the code flow with PKCE and validates the JWT access token as a resource server (RFC 9068)', async () => {
      const { verifier, challenge } = pkce();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const url = await callback(t, {
        clientId: c.client_id,
        userId: user.id,
        challenge,
        nonce,
        state,
      });
      const params = oauth.validateAuthResponse(as, c, url, state);
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        c,
        await oauth.authorizationCodeGrantRequest(as, c, auth, params, REDIRECT, verifier, opts),
        { expectedNonce: nonce, requireIdToken: true },
      );
      expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe(user.id);

      const claims = await oauth.validateJwtAccessToken(
        as,
        new Request(`${t.url}/resource`, {
          headers: { Authorization: `Bearer ${tokens.access_token}` },
        }),
        t.url,
        opts,
      );
      expect(claims).toMatchObject({ sub: user.id, client_id: c.client_id, iss: t.url });

      const info = await oauth.processUserInfoResponse(
        as,
        c,
        user.id,
        await oauth.userInfoRequest(as, c, tokens.access_token, opts),
      );
      expect(info.sub).toBe(user.id);

      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        c,
        await oauth.refreshTokenGrantRequest(as, c, auth, tokens.refresh_token!, opts),
      );
      expect(refreshed.access_token).toBeTruthy();

      const intro = await oauth.processIntrospectionResponse(
        as,
        c,
        await oauth.introspectionRequest(as, c, auth, refreshed.refresh_token!, opts),
      );
      expect(intro.active).toBe(true);
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, c, auth, refreshed.refresh_token!, opts),
      );
      const after = await oauth.processIntrospectionResponse(
        as,
        c,
        await oauth.introspectionRequest(as, c, auth, refreshed.access_token, opts),
      );
      expect(after.active).toBe(false);
    });

    it('runs the code flow through the real login and consent pages', async () => {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const browserUser = await createLoginUser(t);
      const flow = await authorize(
        t,
        {
          response_type: 'code',
          client_id: c.client_id,
          redirect_uri: REDIRECT,
          scope: 'openid profile',
          state,
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        },
        { username: browserUser.username, password: browserUser.password },
      );
      const params = oauth.validateAuthResponse(as, c, flow.location, state);
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        c,
        await oauth.authorizationCodeGrantRequest(as, c, auth, params, REDIRECT, verifier, opts),
      );
      expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe(browserUser.id);
      expect(tokens.scope).toBe('openid profile');
    });

    it('runs client_credentials and sees the RFC 6749 §5.2 error for an unregistered scope', async () => {
      const tokens = await oauth.processClientCredentialsResponse(
        as,
        c,
        await oauth.clientCredentialsGrantRequest(as, c, auth, { scope: 'email' }, opts),
      );
      expect(tokens.scope).toBe('email');
      await expect(
        oauth.processClientCredentialsResponse(
          as,
          c,
          await oauth.clientCredentialsGrantRequest(as, c, auth, { scope: 'admin' }, opts),
        ),
      ).rejects.toMatchObject({ error: 'invalid_scope' });
    });

    it('sees invalid_client for a wrong secret', async () => {
      await expect(
        oauth.processClientCredentialsResponse(
          as,
          c,
          await oauth.clientCredentialsGrantRequest(
            as,
            c,
            oauth.ClientSecretPost(`sec_${randomBytes(8).toString('hex')}`),
            {},
            opts,
          ),
        ),
      ).rejects.toMatchObject({ error: 'invalid_client' });
    });
  });
});
