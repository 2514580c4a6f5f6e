import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSeconds, sha256Hex } from '../src/common/crypto/tokens.js';
import { loadConfig } from '../src/config/index.js';
import { ClientAssertionJtiEntity } from '../src/token/entities/client-assertion-jti.entity.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { assertion, clientKey, JWT_BEARER, postForm, TOKEN_PATH } from './helpers/token-flow.js';

const CC = {
  grantTypes: ['client_credentials'],
  responseTypes: [],
  redirectUris: [],
  scope: 'profile',
};

type Key = Awaited<ReturnType<typeof clientKey>>;

/** A `private_key_jwt` client with an inline JWK Set, seeded in `t`. */
async function keyClient(t: TestApp, alg = 'ES256'): Promise<{ key: Key; clientId: string }> {
  const key = await clientKey(alg);
  const { clientId } = await seedClient(t, {
    ...CC,
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [key.publicJwk] },
  });
  return { key, clientId };
}

const send = (t: TestApp, a: string, path?: string, extra: Record<string, string> = {}) =>
  postForm(
    t,
    {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: a,
      ...extra,
    },
    { path },
  );

/**
 * What Python's Authlib sends as shipped (`PrivateKeyJWT(token_endpoint)`): RS256, `aud` = the token
 * endpoint URL, `exp = iat + 3600`, a random `jti`.
 */
function authlibClaims(t: TestApp, now = nowSeconds()) {
  return { aud: `${t.url}${TOKEN_PATH}`, iat: now, exp: now + 3600 };
}

/**
 * Issue 7 item 11: `private_key_jwt` assertions with a multi-valued `aud` (the audience-injection class,
 * draft-ietf-oauth-rfc7523bis) are refused; a single string that is the issuer or the token endpoint URL
 * is accepted by default, the issuer alone with `CLIENT_ASSERTION_AUDIENCE=issuer`.
 * Item 16: the lifetime cap is `CLIENT_ASSERTION_MAX_LIFETIME` (default 300 s) and the jti store keeps each
 * id until its `exp`.
 */
describe(`client assertion audience and lifetime, default settings (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let key: Key;
  let clientId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ key, clientId } = await keyClient(t));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an aud array naming another server beside this one (audience injection)', async () => {
    for (const aud of [['https://other-as.example', t.url], [t.url], [`${t.url}${TOKEN_PATH}`]]) {
      const res = await send(t, await assertion(key, clientId, aud));
      expectOAuthError(res, 401, 'invalid_client');
      expect(res.body.error_description).toMatch(/single string/);
    }
  });

  it('accepts a single string aud that is the issuer or the token endpoint URL', async () => {
    for (const aud of [t.url, `${t.url}${TOKEN_PATH}`]) {
      const res = await send(t, await assertion(key, clientId, aud));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });

  it('accepts the URL of the endpoint called (introspection) and refuses any other URL', async () => {
    const { key: k2, clientId: id2 } = await keyClient(t);
    const token = (await send(t, await assertion(k2, id2, t.url))).body.access_token as string;
    const path = '/api/v1/oauth/introspect';
    const ok = await postForm(
      t,
      {
        token,
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(k2, id2, `${t.url}${path}`),
      },
      { path },
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.active).toBe(true);
    for (const aud of ['https://other-as.example', `${t.url}/`, `${t.url}/api/v1/oauth/revoke`]) {
      expectOAuthError(await send(t, await assertion(key, clientId, aud)), 401, 'invalid_client');
    }
  });

  it('refuses what Authlib signs as shipped (exp = iat + 3600): more than 300 seconds ahead', async () => {
    const { key: rsa, clientId: id } = await keyClient(t, 'RS256');
    const res = await send(
      t,
      await assertion(rsa, id, `${t.url}${TOKEN_PATH}`, authlibClaims(t), 'RS256'),
    );
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.body.error_description).toMatch(/within 300 seconds/);
  });

  it('accepts the Authlib workaround that passes a shorter exp in claims', async () => {
    const { key: rsa, clientId: id } = await keyClient(t, 'RS256');
    const now = nowSeconds();
    const res = await send(
      t,
      await assertion(
        rsa,
        id,
        `${t.url}${TOKEN_PATH}`,
        { ...authlibClaims(t, now), exp: now + 300 },
        'RS256',
      ),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('refuses a refused assertion before fetching the jwks_uri (no outbound request)', async () => {
    const { clientId: id } = await seedClient(t, {
      ...CC,
      tokenEndpointAuthMethod: 'private_key_jwt',
      // Unreachable on purpose: were it fetched, the answer would name the fetch, not the audience.
      jwksUri: 'https://jwks.invalid/jwks.json',
    });
    const res = await send(t, await assertion(key, id, ['https://other-as.example', t.url]));
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.body.error_description).toMatch(/single string/);
  });
});

describe(`client assertions with CLIENT_ASSERTION_AUDIENCE=issuer, CLIENT_ASSERTION_MAX_LIFETIME=3600 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CLIENT_ASSERTION_AUDIENCE: 'issuer',
        CLIENT_ASSERTION_MAX_LIFETIME: '3600',
        REGISTRATION_RESPONSE_STYLE: 'flat',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts the issuer only: the token endpoint URL and arrays are refused', async () => {
    const { key, clientId } = await keyClient(t);
    expect((await send(t, await assertion(key, clientId, t.url))).status).toBe(200);
    for (const aud of [`${t.url}${TOKEN_PATH}`, [t.url]]) {
      const res = await send(t, await assertion(key, clientId, aud));
      expectOAuthError(res, 401, 'invalid_client');
    }
  });

  it('works with openid-client, which signs aud = issuer', async () => {
    const key = await clientKey();
    const rp = await client.dynamicClientRegistration(
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
      { execute: [client.allowInsecureRequests] },
    );
    const tokens = await client.clientCredentialsGrant(rp);
    expect(tokens.scope).toBe('profile');
  });

  it('accepts an hour-long assertion (the Authlib setting) and keeps its jti until its exp', async () => {
    const { key, clientId } = await keyClient(t, 'RS256');
    const now = nowSeconds();
    const jti = `authlib-${now}`;
    const a = await assertion(key, clientId, t.url, { iat: now, exp: now + 3600, jti }, 'RS256');
    const res = await send(t, a);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const row = await t.dataSource
      .getRepository(ClientAssertionJtiEntity)
      .findOneByOrFail({ clientId, jtiHash: sha256Hex(jti) });
    expect(row.expiresAt).toBeGreaterThanOrEqual(now + 3600);
    const again = await send(t, a);
    expectOAuthError(again, 401, 'invalid_client');
    expect(again.body.error_description).toMatch(/jti/);
    // Still refused beyond the configured cap.
    const tooLong = await send(
      t,
      await assertion(key, clientId, t.url, { exp: nowSeconds() + 7200 }, 'RS256'),
    );
    expectOAuthError(tooLong, 401, 'invalid_client');
    expect(tooLong.body.error_description).toMatch(/within 3600 seconds/);
  });
});

describe('client assertion settings validation', () => {
  it('refuses an unknown CLIENT_ASSERTION_AUDIENCE and an out-of-range CLIENT_ASSERTION_MAX_LIFETIME', () => {
    expect(() => loadConfig({ CLIENT_ASSERTION_AUDIENCE: 'any' })).toThrow(
      /CLIENT_ASSERTION_AUDIENCE/,
    );
    expect(() => loadConfig({ CLIENT_ASSERTION_MAX_LIFETIME: '0' })).toThrow(
      /CLIENT_ASSERTION_MAX_LIFETIME/,
    );
    expect(loadConfig({}).token).toMatchObject({
      clientAssertionAudience: 'issuer-or-endpoint',
      clientAssertionMaxLifetimeSeconds: 300,
    });
  });
});
