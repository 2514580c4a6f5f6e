import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEntity } from '../src/client-registration/index.js';
import { seedClient } from './helpers/clients.js';
import { authorize, AUTHORIZE_PATH, createUser } from './helpers/login-flow.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { pkce } from './helpers/token-flow.js';

// Issue 7 item 1 (RFC 9700 §4.11.2, RFC 8252 §7.1): anyone can register a client, then use the error
// redirects of /oauth/authorize to bounce a victim to any URL. The standard redirects stay by default;
// what makes them useful to an attacker is removed or, with settings, narrowed.

const FLAT = '/connect/register';
const ENVELOPE = '/api/v1/oauth/register';
const PHISH = 'https://phish.example/landing';
const IAT = 'initial-access-token-0123456789';

/** `GET /oauth/authorize` with an invalid scope: the reviewer's `?…&scope=nope` request. */
const badScope = (clientId: string, redirectUri: string) =>
  `${AUTHORIZE_PATH}?${new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'nope',
    state: 'xyz',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  }).toString()}`;

describe(`open redirector through self-registered clients (${TEST_DB_TYPE})`, () => {
  describe('defaults', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it.each([
      ['ms-msdt:/id%20PCWDiagnostic', 'ms-msdt'],
      ['intent://evil/Intent;scheme=https;end', 'intent'],
      ['chrome://settings', 'chrome'],
      ['mailto:victim@example.com', 'mailto'],
      ['search-ms:query=x', 'search-ms'],
      ['x-apple.systempreferences:com.apple.preference', 'x-apple.systempreferences'],
    ])(
      'refuses the native redirect URI %j (deny list), in both registration styles',
      async (uri, scheme) => {
        for (const path of [FLAT, ENVELOPE]) {
          const res = await request(t.url)
            .post(path)
            .send({
              application_type: 'native',
              token_endpoint_auth_method: 'none',
              redirect_uris: [uri],
            });
          expectOAuthError(res, 400, 'invalid_redirect_uri');
          expect(res.body.error_description).toContain(`"${scheme}:"`);
        }
      },
    );

    it('refuses a private-use scheme without a period (RFC 8252 §7.1), accepts a reverse domain name', async () => {
      const native = { application_type: 'native', token_endpoint_auth_method: 'none' };
      const refused = await request(t.url)
        .post(FLAT)
        .send({ ...native, redirect_uris: ['myapp:/callback'] });
      expectOAuthError(refused, 400, 'invalid_redirect_uri');
      expect(refused.body.error_description).toContain('reverse domain name');
      const ok = await request(t.url)
        .post(FLAT)
        .send({ ...native, redirect_uris: ['com.example.app:/callback'] });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      // RFC 7592 update (PUT) is held to the same rule.
      const put = await request(t.url)
        .put(`${FLAT}/${ok.body.client_id}`)
        .set('Authorization', `Bearer ${ok.body.registration_access_token}`)
        .send({ ...native, client_id: ok.body.client_id, redirect_uris: ['ms-msdt:/x'] });
      expectOAuthError(put, 400, 'invalid_redirect_uri');
    });

    it('keeps the standard error redirect (RFC 6749 §4.1.2.1) for any registered host by default', async () => {
      const reg = await request(t.url)
        .post(FLAT)
        .send({ redirect_uris: [PHISH] })
        .expect(201);
      const res = await request(t.url).get(badScope(reg.body.client_id, PHISH));
      expect(res.status).toBe(302);
      const to = new URL(res.headers.location);
      expect(`${to.origin}${to.pathname}`).toBe(PHISH);
      expect(to.searchParams.get('error')).toBe('invalid_scope');
      expect(to.searchParams.get('state')).toBe('xyz');
    });

    it('never redirects to a dangerous scheme stored before the rule existed: an error page instead', async () => {
      const c = await seedClient(t, {
        applicationType: 'native',
        tokenEndpointAuthMethod: 'none',
        redirectUris: ['ms-msdt:/id'],
        selfRegistered: true,
      });
      const res = await request(t.url).get(badScope(c.clientId, 'ms-msdt:/id'));
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('no longer redirects to');
    });
  });

  describe('REGISTRATION_ALLOWED_REDIRECT_HOSTS and AUTHORIZE_UNTRUSTED_ERROR_PAGE', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: {
          REGISTRATION_RATE_LIMIT: '0',
          REGISTRATION_ALLOWED_REDIRECT_HOSTS: 'app.example.com *.trusted.example [::1] 127.0.0.1',
          AUTHORIZE_UNTRUSTED_ERROR_PAGE: 'true',
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it.each([
      [PHISH, false],
      ['https://app.example.com/cb', true],
      ['https://APP.example.com/cb', true],
      ['https://a.trusted.example/cb', true],
      ['https://trusted.example/cb', false],
      ['https://a.b.trusted.example/cb', false],
      ['https://eviltrusted.example/cb', false],
      ['https://app.example.com.evil.example/cb', false],
      ['http://127.0.0.1:8080/cb', true],
      ['http://localhost:8080/cb', false],
    ])('open registration of %s: allowed %s', async (uri, allowed) => {
      const res = await request(t.url)
        .post(FLAT)
        .send({ redirect_uris: [uri] });
      if (allowed) {
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      } else {
        expectOAuthError(res, 400, 'invalid_redirect_uri');
        expect(res.body.error_description).toContain('REGISTRATION_ALLOWED_REDIRECT_HOSTS');
      }
    });

    it('applies to the envelope style and to PUT updates too; private-use schemes are not hosts', async () => {
      expectOAuthError(
        await request(t.url)
          .post(ENVELOPE)
          .send({ redirect_uris: [PHISH] }),
        400,
        'invalid_redirect_uri',
      );
      const ok = await request(t.url)
        .post(ENVELOPE)
        .send({ redirect_uris: ['https://app.example.com/cb'] })
        .expect(201);
      const d = ok.body.data;
      const put = await request(t.url)
        .put(`${ENVELOPE}/${d.client_id}`)
        .set('Authorization', `Bearer ${d.registration_access_token}`)
        .send({ client_id: d.client_id, redirect_uris: [PHISH] });
      expectOAuthError(put, 400, 'invalid_redirect_uri');
      const native = await request(t.url)
        .post(FLAT)
        .send({
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          redirect_uris: ['com.example.app:/cb'],
        });
      expect(native.status).toBe(201);
    });

    it('shows a self-registered client’s pre-sign-in error on a page with a plain link, not a redirect', async () => {
      const reg = await request(t.url)
        .post(FLAT)
        .send({ redirect_uris: ['https://a.trusted.example/cb'] })
        .expect(201);
      const res = await request(t.url).get(
        badScope(reg.body.client_id, 'https://a.trusted.example/cb'),
      );
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.text).toContain('invalid_scope');
      expect(res.text).toContain('<strong>a.trusted.example</strong>');
      expect(res.text).toContain(
        'href="https://a.trusted.example/cb?error=invalid_scope&amp;error_description=',
      );
      expect(res.text).toContain('state=xyz');
      // An API caller gets the OAuth error itself.
      const json = await request(t.url)
        .get(badScope(reg.body.client_id, 'https://a.trusted.example/cb'))
        .set('Accept', 'application/json');
      expectOAuthError(json, 400, 'invalid_scope');
    });

    it('keeps redirecting for clients not self-registered, and for errors after sign-in', async () => {
      const trusted = await seedClient(t, { redirectUris: [PHISH] });
      const res = await request(t.url).get(badScope(trusted.clientId, PHISH));
      expect(res.status).toBe(302);
      expect(new URL(res.headers.location).searchParams.get('error')).toBe('invalid_scope');

      // A self-registered client whose user signs in and denies: access_denied is redirected as usual.
      const user = await createUser(t);
      const self = await seedClient(t, {
        redirectUris: ['https://a.trusted.example/cb'],
        selfRegistered: true,
      });
      const flow = await authorize(
        t,
        {
          response_type: 'code',
          client_id: self.clientId,
          redirect_uri: 'https://a.trusted.example/cb',
          scope: 'openid',
          state: 's',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        },
        user,
        { consent: 'deny' },
      );
      expect(flow.error).toBe('access_denied');
      expect(flow.location.host).toBe('a.trusted.example');
    });
  });

  describe('clients registered with an initial access token', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: {
          REGISTRATION_RATE_LIMIT: '0',
          REGISTRATION_INITIAL_ACCESS_TOKENS: IAT,
          REGISTRATION_ALLOWED_REDIRECT_HOSTS: 'app.example.com',
          AUTHORIZE_UNTRUSTED_ERROR_PAGE: 'true',
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('are not held to the host list, keep error redirects, and are stored as not self-registered', async () => {
      const reg = await request(t.url)
        .post(FLAT)
        .set('Authorization', `Bearer ${IAT}`)
        .send({ redirect_uris: [PHISH] });
      expect(reg.status, JSON.stringify(reg.body)).toBe(201);
      const row = await t.dataSource
        .getRepository(ClientEntity)
        .findOneByOrFail({ id: reg.body.client_id });
      expect(Boolean(row.selfRegistered)).toBe(false);
      const res = await request(t.url).get(badScope(reg.body.client_id, PHISH));
      expect(res.status).toBe(302);
    });
  });
});
