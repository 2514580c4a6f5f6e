import * as oauth from 'oauth4webapi';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStoreService } from '../src/keys/index.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

const URL_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'registration_endpoint',
  'jwks_uri',
  'revocation_endpoint',
  'introspection_endpoint',
  'userinfo_endpoint',
  'service_documentation',
];

async function metadata(t: TestApp, path: string): Promise<Record<string, unknown>> {
  const res = await request(t.url).get(path).expect(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['cache-control']).toBe('public, max-age=300');
  return res.body as Record<string, unknown>;
}

describe(`discovery metadata (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { SCOPES_SUPPORTED: 'openid profile email offline_access api:read' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(PATHS)(
    '%s carries every endpoint as an absolute URL under the issuer (RFC 8414 §2)',
    async (path) => {
      const doc = await metadata(t, path);
      expect(doc.issuer).toBe(t.url);
      expect(doc).toMatchObject({
        authorization_endpoint: `${t.url}/api/v1/oauth/authorize`,
        token_endpoint: `${t.url}/api/v1/oauth/token`,
        registration_endpoint: `${t.url}/connect/register`,
        jwks_uri: `${t.url}/.well-known/jwks.json`,
        revocation_endpoint: `${t.url}/api/v1/oauth/revoke`,
        introspection_endpoint: `${t.url}/api/v1/oauth/introspect`,
        userinfo_endpoint: `${t.url}/api/v1/oauth/userinfo`,
        service_documentation: `${t.url}/api/docs`,
      });
      for (const field of URL_FIELDS) {
        const value = new URL(String(doc[field]));
        expect(value.origin, field).toBe(t.url);
      }
    },
  );

  it.each(PATHS)(
    '%s advertises the supported capabilities (RFC 8414 §2, OIDC Discovery §3)',
    async (path) => {
      const doc = await metadata(t, path);
      const algs = ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'];
      expect(doc).toMatchObject({
        scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        token_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
          'none',
        ],
        revocation_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
          'none',
        ],
        // RFC 7662 §2.1: introspection callers must be authenticated.
        introspection_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
        ],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        subject_types_supported: ['public'],
        // OIDC Discovery §3: "The algorithm RS256 MUST be included"; TOKEN_ID_ALG (default RS256) comes
        // first, then ES256, which a client may register as id_token_signed_response_alg.
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        claims_parameter_supported: false,
        prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      });
      for (const field of [
        'token_endpoint_auth_signing_alg_values_supported',
        'revocation_endpoint_auth_signing_alg_values_supported',
        'introspection_endpoint_auth_signing_alg_values_supported',
      ]) {
        expect(doc[field], field).toEqual(expect.arrayContaining(algs));
        // RFC 8414 §2: "none" MUST NOT be used for these.
        expect(doc[field], field).not.toContain('none');
      }
      expect(doc.claims_supported).toEqual(
        expect.arrayContaining([
          'sub',
          'iss',
          'name',
          'given_name',
          'family_name',
          'preferred_username',
          'updated_at',
          'email',
          'email_verified',
        ]),
      );
    },
  );

  it('serves the same document at both well-known paths', async () => {
    expect(await metadata(t, PATHS[0])).toEqual(await metadata(t, PATHS[1]));
  });

  it('is served at the host root only, not under /api/v1 (RFC 8414 §3)', async () => {
    for (const path of PATHS) await request(t.url).get(`/api/v1${path}`).expect(404);
  });

  it('id_token_signing_alg_values_supported names algorithms that have a key in the JWK Set', async () => {
    const doc = await metadata(t, PATHS[1]);
    const jwks = (await request(t.url).get('/.well-known/jwks.json').expect(200)).body as {
      keys: { alg: string }[];
    };
    // ES256 signs the access tokens, RS256 the ID tokens.
    expect(jwks.keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    for (const alg of doc.id_token_signing_alg_values_supported as string[]) {
      expect(jwks.keys.map((k) => k.alg)).toContain(alg);
    }
    expect(t.app.get(KeyStoreService).configuredAlgs()).toEqual(['ES256', 'RS256']);
  });

  it('is accepted by oauth4webapi for both the oauth2 and oidc algorithms', async () => {
    const issuer = new URL(t.url);
    for (const algorithm of ['oauth2', 'oidc'] as const) {
      const response = await oauth.discoveryRequest(issuer, {
        algorithm,
        [oauth.allowInsecureRequests]: true,
      });
      const as = await oauth.processDiscoveryResponse(issuer, response);
      expect(as.issuer).toBe(t.url);
      expect(as.token_endpoint).toBe(`${t.url}/api/v1/oauth/token`);
      expect(as.registration_endpoint).toBe(`${t.url}/connect/register`);
      expect(as.code_challenge_methods_supported).toEqual(['S256']);
    }
  });

  it('is documented in Swagger under the Discovery tag with response schemas', async () => {
    const doc = (await request(t.url).get('/api/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; responses: Record<string, unknown> }>
      >;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    for (const path of [...PATHS, '/.well-known/jwks.json']) {
      const op = doc.paths[path]?.get;
      expect(op, path).toBeDefined();
      expect(op.tags).toEqual(['Discovery']);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '500']));
    }
    // Inherited RFC 8414 fields are flattened into the OpenID schema.
    const props = Object.keys(doc.components.schemas.OpenIdProviderMetadata.properties ?? {});
    const served = await metadata(t, PATHS[1]);
    expect(props.sort()).toEqual(Object.keys(served).sort());
    expect(Object.keys(doc.components.schemas.JsonWebKeySet.properties ?? {})).toEqual(['keys']);
  });
});

describe(`discovery with RS256 keys (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { KEYS_ALG: 'RS256' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('advertises RS256 first for ID tokens when every configured key is RSA, and ES256 for clients that register it', async () => {
    const res = await request(t.url).get('/.well-known/openid-configuration').expect(200);
    expect((res.body as Record<string, unknown>).id_token_signing_alg_values_supported).toEqual([
      'RS256',
      'ES256',
    ]);
  });
});

describe(`discovery with TOKEN_ID_ALG=ES256 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_ID_ALG: 'ES256' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('advertises ES256 first, the default ID token algorithm, then RS256 (OIDC Discovery §3 requires it)', async () => {
    const res = await request(t.url).get('/.well-known/openid-configuration').expect(200);
    expect((res.body as Record<string, unknown>).id_token_signing_alg_values_supported).toEqual([
      'ES256',
      'RS256',
    ]);
  });
});

describe(`discovery when the database is down (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 500 server_error without internals when no key can be loaded', async () => {
    // No key has been loaded yet, so every document needs the database.
    await t.dataSource.destroy();
    for (const path of [...PATHS, '/.well-known/jwks.json']) {
      expectOAuthError(await request(t.url).get(path), 500, 'server_error');
    }
  });
});
