import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

interface Operation {
  tags?: string[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: Record<string, string[]>[];
}
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};

// Contract O4, O5, O9, O10, O11: every token-family operation in Swagger, with its request schema,
// response schema (reference names) and error statuses.
describe(`Swagger document of the token endpoints (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let doc: Doc;
  beforeAll(async () => {
    t = await createTestApp();
    doc = (await request(t.url).get('/api/docs-json').expect(200)).body as Doc;
  });
  afterAll(async () => {
    await t?.close();
  });

  const op = (path: string, method: string): Operation => {
    const o = doc.paths[`/api/v1${path}`]?.[method];
    expect(o, `${method.toUpperCase()} ${path}`).toBeDefined();
    return o;
  };
  const ref = (name: string) => `#/components/schemas/${name}`;

  it('is a valid OpenAPI document', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it.each([
    [
      '/oauth/token',
      'post',
      'OAuthTokenRequest',
      'OAuthTokenResponse',
      ['400', '401', '429', '500'],
    ],
    ['/oauth/refresh', 'post', 'RefreshTokenRequest', 'OAuthTokenResponse', ['400', '401']],
    [
      '/oauth/introspect',
      'post',
      'TokenIntrospectionRequest',
      'TokenIntrospectionResponse',
      ['400', '401', '500'],
    ],
    ['/oauth/revoke', 'post', 'TokenRevocationRequest', undefined, ['400', '401']],
    ['/oauth/userinfo', 'get', undefined, 'OIDCUserInfoResponse', ['401', '403']],
    ['/oauth/userinfo', 'post', 'UserInfoRequest', 'OIDCUserInfoResponse', ['401', '403']],
  ])('documents %s %s', (path, method, requestSchema, responseSchema, errors) => {
    const o = op(path, method);
    expect(o.tags).toContain('OAuth');
    if (requestSchema) {
      const content = o.requestBody!.content;
      expect(Object.keys(content)).toEqual(
        expect.arrayContaining(
          method === 'get' || path === '/oauth/userinfo'
            ? ['application/x-www-form-urlencoded']
            : ['application/x-www-form-urlencoded', 'application/json'],
        ),
      );
      for (const media of Object.values(content)) {
        expect(media.schema.$ref).toBe(ref(requestSchema));
      }
    }
    expect(o.responses['200']).toBeDefined();
    if (responseSchema) {
      expect(o.responses['200'].content!['application/json'].schema.$ref).toBe(ref(responseSchema));
    }
    for (const status of errors) {
      expect(o.responses[status]?.content?.['application/json'].schema.$ref, status).toBe(
        ref('OAuthErrorResponse'),
      );
    }
  });

  it('lists every field of the reference schemas', () => {
    const fields = (name: string) => Object.keys(doc.components.schemas[name]?.properties ?? {});
    expect(fields('OAuthTokenResponse')).toEqual(
      expect.arrayContaining([
        'access_token',
        'authorization_details',
        'dpop_access_token_bound',
        'dpop_signing_alg',
        'expires_in',
        'id_token',
        'refresh_token',
        'scope',
        'token_type',
      ]),
    );
    expect(fields('TokenIntrospectionResponse')).toEqual(
      expect.arrayContaining([
        'active',
        'aud',
        'client_id',
        'exp',
        'iat',
        'scope',
        'sub',
        'token_type',
        'username',
      ]),
    );
    expect(fields('OIDCUserInfoResponse')).toEqual(
      expect.arrayContaining([
        'age_group',
        'birthdate',
        'client_id',
        'family_name',
        'gender',
        'given_name',
        'is_minor',
        'locale',
        'name',
        'nickname',
        'picture',
        'preferred_username',
        'scope',
        'sub',
        'updated_at',
        'website',
        'zoneinfo',
      ]),
    );
    expect(fields('OAuthTokenRequest')).toEqual(
      expect.arrayContaining([
        'grant_type',
        'code',
        'redirect_uri',
        'client_id',
        'client_secret',
        'refresh_token',
        'code_verifier',
        'client_assertion_type',
        'client_assertion',
      ]),
    );
  });

  it('declares the security schemes the endpoints accept', () => {
    expect(op('/oauth/token', 'post').security).toEqual([{ client_secret_basic: [] }]);
    expect(op('/oauth/userinfo', 'get').security).toEqual([{ access_token: [] }]);
  });
});
