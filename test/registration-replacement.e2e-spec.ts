import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const FLAT = '/connect/register';
const ENVELOPE = '/api/v1/oauth/register';

/**
 * The registration request a widely used relying party sends by default: the implicit grant, all six
 * OpenID Connect response types and its logout endpoints.
 */
const relyingPartyDefault = {
  client_name: 'Relying party',
  redirect_uris: ['https://rp.example.com/oidc/callback'],
  grant_types: ['authorization_code', 'implicit', 'refresh_token'],
  response_types: [
    'code',
    'id_token',
    'token',
    'code id_token',
    'code token',
    'code id_token token',
  ],
  post_logout_redirect_uris: ['https://rp.example.com/logged-out'],
  frontchannel_logout_uri: 'https://rp.example.com/oidc/frontchannel-logout',
  backchannel_logout_uri: 'https://rp.example.com/oidc/backchannel-logout',
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid profile email',
};

// RFC 7591 §3.2.1: the server may replace requested metadata values with suitable ones and must return
// what it registered. Known but unoffered grant and response types (implicit, hybrid) are dropped when a
// supported set remains; unknown or malformed values keep their 400.
describe(`RFC 7591 §3.2.1 replacement of unoffered grant and response types (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers the supported rest of the relying party default request and returns exactly that', async () => {
    const reg = await request(t.url).post(FLAT).send(relyingPartyDefault).expect(201);
    expect(reg.body).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: relyingPartyDefault.redirect_uris,
      scope: 'openid profile email',
    });
    expect(reg.body.client_secret).toMatch(/^sec_/);
    // The logout metadata is registered and echoed (docs/logout.md); front-channel logout is not offered,
    // so frontchannel_logout_uri is ignored like any unknown field (RFC 7591 §2).
    expect(reg.body).toMatchObject({
      post_logout_redirect_uris: relyingPartyDefault.post_logout_redirect_uris,
      backchannel_logout_uri: relyingPartyDefault.backchannel_logout_uri,
      backchannel_logout_session_required: false,
    });
    expect(reg.body).not.toHaveProperty('frontchannel_logout_uri');

    // What was registered is what is stored: the read answers the same sets.
    const read = await request(t.url)
      .get(`${FLAT}/${reg.body.client_id as string}`)
      .auth(reg.body.registration_access_token as string, { type: 'bearer' })
      .expect(200);
    expect(read.body).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
  });

  it('applies the same rule in the contract envelope and on update (RFC 7592 §2.2)', async () => {
    const reg = await request(t.url)
      .post(ENVELOPE)
      .send({ redirect_uris: relyingPartyDefault.redirect_uris })
      .expect(201);
    expect(reg.body.data.grant_types).toEqual(['authorization_code']);
    const upd = await request(t.url)
      .put(`${ENVELOPE}/${reg.body.data.client_id as string}`)
      .auth(reg.body.data.registration_access_token as string, { type: 'bearer' })
      .send(relyingPartyDefault)
      .expect(200);
    expect(upd.body.data).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
  });

  it.each([
    ['an unknown grant type', { grant_types: ['authorization_code', 'implicit', 'urn:x:unknown'] }],
    ['a malformed response type', { response_types: ['code', 'code  id_token'] }],
    ['an unknown response type', { response_types: ['code', 'code foo'] }],
    ['nothing but the implicit grant', { grant_types: ['implicit'], response_types: ['token'] }],
    ['nothing but hybrid response types', { response_types: ['code id_token', 'id_token'] }],
  ])('keeps 400 invalid_client_metadata for %s', async (_name, change) => {
    for (const path of [FLAT, ENVELOPE]) {
      const res = await request(t.url)
        .post(path)
        .send({ ...relyingPartyDefault, ...change });
      expectOAuthError(res, 400, 'invalid_client_metadata');
    }
  });
});
