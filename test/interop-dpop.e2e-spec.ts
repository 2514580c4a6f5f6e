import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, createUser } from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REDIRECT = 'https://rp.example.com/cb';

/** Records the status and `error` of every answer of the token and userinfo endpoints. */
function recorder() {
  const seen: string[] = [];
  const fetchAndRecord: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (/\/oauth\/(token|userinfo)$/.test(url.pathname)) {
      const body = res.headers.get('content-type')?.includes('json')
        ? ((await res.clone().json()) as { error?: string })
        : {};
      const challenge = /error="([a-z_]+)"/.exec(res.headers.get('www-authenticate') ?? '')?.[1];
      seen.push(
        `${url.pathname.split('/').at(-1)} ${res.status} ${body.error ?? challenge ?? ''}`.trim(),
      );
    }
    return res;
  };
  return { seen, fetch: fetchAndRecord };
}

/** The thumbprint of a key pair's public key (what `cnf.jkt` must name). */
async function thumbprintOf(keyPair: oauth.CryptoKeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
}

// Client libraries nobody here wrote obtain DPoP-bound tokens through the real login and consent pages,
// with the server requiring nonces: each must notice use_dpop_nonce, take the DPoP-Nonce and retry.
describe(`interoperability of DPoP with nonces required (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0', DPOP_NONCE_REQUIRED: 'true' } });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function openidClient(extra: Partial<client.ClientMetadata> = {}) {
    const rec = recorder();
    const config = await client.dynamicClientRegistration(
      new URL(t.url),
      {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        scope: 'openid email offline_access',
        dpop_bound_access_tokens: true,
        ...extra,
      },
      client.None(),
      { execute: [client.allowInsecureRequests] },
    );
    config[client.customFetch] = rec.fetch;
    return { config, seen: rec.seen };
  }

  it('openid-client v6: code + PKCE with DPoP, refresh with the bound refresh token, userinfo', async () => {
    const { config, seen } = await openidClient();
    expect(config.clientMetadata().dpop_bound_access_tokens).toBe(true);
    const keyPair = await client.randomDPoPKeyPair();
    const DPoP = client.getDPoPHandle(config, keyPair);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email offline_access',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
    const flow = await authorize(t, Object.fromEntries(url.searchParams), user);
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const tokens = await client.authorizationCodeGrant(
      config,
      flow.location,
      { pkceCodeVerifier: verifier, expectedState: state },
      undefined,
      { DPoP },
    );
    // The library met use_dpop_nonce, took the nonce and retried.
    expect(seen).toEqual(['token 400 use_dpop_nonce', 'token 200']);
    expect(tokens.token_type).toBe('dpop');
    const jkt = await thumbprintOf(keyPair);
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });
    expect(tokens.refresh_token).toBeDefined();

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, {
      DPoP,
    });
    expect(refreshed.token_type).toBe('dpop');
    expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt });
    // Another key cannot use the bound refresh token (RFC 9449 §5).
    const stranger = client.getDPoPHandle(config, await client.randomDPoPKeyPair());
    await expect(
      client.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: stranger }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    // A fresh handle for the same key knows no nonce yet: the nonce dance happens at userinfo.
    seen.length = 0;
    const info = await client.fetchUserInfo(config, refreshed.access_token, user.id, {
      DPoP: client.getDPoPHandle(config, keyPair),
    });
    expect(info.email).toBe(user.email);
    expect(seen).toEqual(['userinfo 401 use_dpop_nonce', 'userinfo 200']);
  });

  it('openid-client v6: PAR + DPoP, then the code exchange', async () => {
    const { config, seen } = await openidClient({ require_pushed_authorization_requests: true });
    const keyPair = await client.randomDPoPKeyPair('EdDSA');
    const DPoP = client.getDPoPHandle(config, keyPair);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: REDIRECT,
        scope: 'openid email',
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      },
      { DPoP },
    );
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const flow = await authorize(t, Object.fromEntries(url.searchParams), user);
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const tokens = await client.authorizationCodeGrant(
      config,
      flow.location,
      { pkceCodeVerifier: verifier, expectedState: state },
      undefined,
      { DPoP },
    );
    expect(tokens.token_type).toBe('dpop');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: await thumbprintOf(keyPair) });
    expect(seen.at(-1)).toBe('token 200');
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id, { DPoP });
    expect(info.sub).toBe(user.id);
  });

  it('oauth4webapi: PAR + DPoP retried on use_dpop_nonce, code exchange with the bound key, refresh, userinfo', async () => {
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
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          scope: 'openid profile offline_access',
          dpop_bound_access_tokens: true,
        },
        opts,
      ),
    );
    expect(reg.dpop_bound_access_tokens).toBe(true);
    const c: oauth.Client = { client_id: reg.client_id };
    const auth = oauth.None();
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(c, keyPair);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    // oauth4webapi leaves the retry to its caller (its documented pattern): one retry on the nonce error.
    const withNonceRetry = async <T>(
      attempt: () => Promise<T>,
    ): Promise<{ value: T; retried: boolean }> => {
      try {
        return { value: await attempt(), retried: false };
      } catch (e) {
        if (!oauth.isDPoPNonceError(e)) throw e;
        return { value: await attempt(), retried: true };
      }
    };
    // RFC 9449 §10.1: the proof sent with the pushed request is checked (nonce required) and binds the
    // code to its key.
    const par = await withNonceRetry(async () =>
      oauth.processPushedAuthorizationResponse(
        as,
        c,
        await oauth.pushedAuthorizationRequest(
          as,
          c,
          auth,
          {
            redirect_uri: REDIRECT,
            response_type: 'code',
            scope: 'openid profile offline_access',
            prompt: 'consent',
            state,
            code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
          },
          { ...opts, DPoP },
        ),
      ),
    );
    expect(par.retried).toBe(true);
    const pushed = par.value;
    const flow = await authorize(
      t,
      { client_id: c.client_id, request_uri: pushed.request_uri },
      user,
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const params = oauth.validateAuthResponse(as, c, flow.location, state);

    const exchange = await withNonceRetry(async () =>
      oauth.processAuthorizationCodeResponse(
        as,
        c,
        await oauth.authorizationCodeGrantRequest(as, c, auth, params, REDIRECT, verifier, {
          ...opts,
          DPoP,
        }),
      ),
    );
    // The handle learnt the nonce at the PAR endpoint: the exchange goes through at once.
    expect(exchange.retried).toBe(false);
    const tokens = exchange.value;
    expect(tokens.token_type).toBe('dpop');
    const jkt = await DPoP.calculateThumbprint();
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });

    // The handle has the nonce now: the refresh goes through at once.
    const refresh = await withNonceRetry(async () =>
      oauth.processRefreshTokenResponse(
        as,
        c,
        await oauth.refreshTokenGrantRequest(as, c, auth, tokens.refresh_token!, {
          ...opts,
          DPoP,
        }),
      ),
    );
    expect(refresh.retried).toBe(false);
    expect(decodeJwt(refresh.value.access_token).cnf).toEqual({ jkt });

    // A fresh handle of the same key at userinfo: 401 with the DPoP use_dpop_nonce challenge, then 200.
    const fresh = oauth.DPoP(c, keyPair);
    const info = await withNonceRetry(async () =>
      oauth.processUserInfoResponse(
        as,
        c,
        oauth.skipSubjectCheck,
        await oauth.userInfoRequest(as, c, refresh.value.access_token, { ...opts, DPoP: fresh }),
      ),
    );
    expect(info.retried).toBe(true);
    expect(info.value.sub).toBe(user.id);
  });
});
