import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentEntity } from '../src/authorize/entities/consent.entity.js';
import { ClientEntity } from '../src/client-registration/index.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import {
  authorize,
  AUTHORIZE_PATH,
  CookieJar,
  createUser,
  parseForm,
  send,
} from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REDIRECT = 'https://app.example.com/callback';
const CONSENT = '/api/v1/oauth/consent';
const LOGIN = '/api/v1/oauth/login';

describe(`consent step (${TEST_DB_TYPE})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const params = (c: SeededClient, extra: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: c.clientId,
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state: 'st',
    ...extra,
  });

  /** Logs `user` in through the real login form and returns the consent page it leads to. */
  async function openConsent(
    c: SeededClient,
    user: { username: string; password: string },
    extra: Record<string, string> = {},
    jar = new CookieJar(),
  ) {
    const start = await send(
      jar,
      `${t.url}${AUTHORIZE_PATH}?${new URLSearchParams(params(c, extra)).toString()}`,
    );
    let next = new URL(start.res.headers.get('location')!, t.url);
    if (next.pathname === LOGIN) {
      const login = parseForm((await send(jar, next)).body)!;
      const posted = await send(jar, `${t.url}${LOGIN}`, {
        form: { ...login.hidden, username: user.username, password: user.password },
      });
      expect(posted.res.status).toBe(303);
      next = new URL(posted.res.headers.get('location')!, t.url);
    }
    expect(next.pathname).toBe(CONSENT);
    const page = await send(jar, next);
    return { ...page, jar, url: next, form: parseForm(page.body)! };
  }

  const consents = () => t.dataSource.getRepository(ConsentEntity);

  it('shows the client name, logo, links, the requested scopes in words and the user (OIDC Core §3.1.2.4)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t, {
      clientName: 'Photo Printer',
      logoUri: 'https://app.example.com/logo.png',
      clientUri: 'https://app.example.com/',
      policyUri: 'https://app.example.com/privacy',
      tosUri: 'https://app.example.com/tos',
    });
    const { res, body, form } = await openConsent(c, user, { scope: 'openid profile email' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(body).toContain('Photo Printer');
    expect(body).toContain('<img src="https://app.example.com/logo.png" alt="">');
    expect(body).toContain('href="https://app.example.com/privacy"');
    expect(body).toContain('href="https://app.example.com/tos"');
    expect(body).toContain('href="https://app.example.com/"');
    expect(body).toContain('Read your email address');
    expect(body).toContain('Read your profile');
    expect(body).toContain(user.username);
    expect(body).toContain('value="allow"');
    expect(body).toContain('value="deny"');
    expect(form.action).toBe(CONSENT);
    expect(form.hidden.csrf_token).toBeTruthy();
  });

  it('escapes client metadata on the consent page and shows no non-https logo (XSS)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t, {
      clientName: '<script>alert(1)</script>',
      logoUri: 'http://app.example.com/logo.png" onerror="alert(1)',
      policyUri: 'javascript:alert(1)',
    });
    const { body } = await openConsent(c, user);
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<img');
    expect(body).not.toContain('javascript:');
  });

  it('redirects access_denied with state and iss when the user denies, and remembers nothing (RFC 6749 §4.1.2.1)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const r = await authorize(t, params(c), user, { consent: 'deny' });
    expect(r.error).toBe('access_denied');
    expect(r.errorDescription).toBeTruthy();
    expect(r.state).toBe('st');
    expect(r.iss).toBe(t.url);
    expect(r.code).toBeUndefined();
    expect(await consents().findOneBy({ userId: user.id, clientId: c.clientId })).toBeNull();
  });

  it('remembers an approval per user and client: the same scopes skip the page next time', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const first = await authorize(t, params(c), user);
    expect(first.pages).toEqual([LOGIN, CONSENT]);
    const row = await consents().findOneBy({ userId: user.id, clientId: c.clientId });
    expect(row?.scopes.sort()).toEqual(['openid', 'profile']);
    const fewer = await authorize(t, params(c, { scope: 'openid' }), null, {
      cookieJar: first.jar,
    });
    expect(fewer.pages).toEqual([]);
    expect(fewer.code).toMatch(/^ac_/);
  });

  it('asks again when more scopes are requested, then remembers the union', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const first = await authorize(t, params(c), user);
    const more = await authorize(t, params(c, { scope: 'openid email' }), null, {
      cookieJar: first.jar,
    });
    expect(more.pages).toEqual([CONSENT]);
    const row = await consents().findOneBy({ userId: user.id, clientId: c.clientId });
    expect(row?.scopes.sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('does not carry consent over to another user or another client', async () => {
    const alice = await createUser(t);
    const bob = await createUser(t);
    const c = await seedClient(t);
    const other = await seedClient(t);
    const a = await authorize(t, params(c), alice);
    const otherClient = await authorize(t, params(other), null, { cookieJar: a.jar });
    expect(otherClient.pages).toEqual([CONSENT]);
    const b = await authorize(t, params(c), bob);
    expect(b.pages).toEqual([LOGIN, CONSENT]);
  });

  it('shows the page with prompt=consent even when consent is remembered (OIDC Core §3.1.2.1)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const first = await authorize(t, params(c), user);
    const again = await authorize(t, params(c, { prompt: 'consent' }), null, {
      cookieJar: first.jar,
    });
    expect(again.pages).toEqual([CONSENT]);
    expect(again.code).toMatch(/^ac_/);
  });

  it('answers prompt=none with consent_required when consent is missing (OIDC Core §3.1.2.6)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const other = await seedClient(t);
    const first = await authorize(t, params(c), user);
    const r = await authorize(t, params(other, { prompt: 'none' }), null, { cookieJar: first.jar });
    expect(r.error).toBe('consent_required');
    expect(r.state).toBe('st');
    expect(r.iss).toBe(t.url);
  });

  it('refuses a consent post with a wrong CSRF token (403, no code, nothing remembered)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { jar, form } = await openConsent(c, user);
    const r = await send(jar, `${t.url}${CONSENT}`, {
      form: { request: form.hidden.request, csrf_token: 'forged', decision: 'allow' },
    });
    expect(r.res.status).toBe(403);
    expect(r.res.headers.get('location')).toBeNull();
    expect(await consents().findOneBy({ userId: user.id, clientId: c.clientId })).toBeNull();
  });

  it('refuses a consent post from another browser (consent CSRF)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { form } = await openConsent(c, user);
    const victim = new CookieJar();
    const r = await send(victim, `${t.url}${CONSENT}`, {
      form: { ...form.hidden, decision: 'allow' },
    });
    expect(r.res.status).toBe(403);
  });

  it('refuses a consent post when the session is gone', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { jar, form } = await openConsent(c, user);
    jar.cookies.delete('authms_session');
    const r = await send(jar, `${t.url}${CONSENT}`, {
      form: { ...form.hidden, decision: 'allow' },
    });
    expect(r.res.status).toBe(403);
  });

  it('sends a browser without the login step from the consent page to the login page', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { jar, url } = await openConsent(c, user);
    jar.cookies.delete('authms_session');
    const r = await send(jar, url);
    expect(r.res.status).toBe(302);
    expect(r.res.headers.get('location')).toMatch(/^\/api\/v1\/oauth\/login\?request=/);
  });

  it('refuses a decision other than allow or deny', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { jar, form } = await openConsent(c, user);
    const r = await send(jar, `${t.url}${CONSENT}`, {
      form: { ...form.hidden, decision: 'maybe' },
    });
    expect(r.res.status).toBe(400);
  });

  it('answers a second submission of the same consent form with an error page (one response per request)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { jar, form } = await openConsent(c, user);
    const first = await send(jar, `${t.url}${CONSENT}`, {
      form: { ...form.hidden, decision: 'allow' },
    });
    expect(first.res.status).toBe(303);
    expect(new URL(first.res.headers.get('location')!).searchParams.get('code')).toMatch(/^ac_/);
    const second = await send(jar, `${t.url}${CONSENT}`, {
      form: { ...form.hidden, decision: 'allow' },
    });
    expect(second.res.status).toBe(400);
    expect(second.res.headers.get('location')).toBeNull();
  });

  it('shows an error page, never a redirect, when the client is deleted while the user is on the page', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { jar, form } = await openConsent(c, user);
    await request(t.url)
      .delete(`/api/v1/oauth/register/${c.clientId}`)
      .set('Authorization', `Bearer ${c.registrationAccessToken}`)
      .expect(204);
    const r = await send(jar, `${t.url}${CONSENT}`, {
      form: { ...form.hidden, decision: 'allow' },
    });
    expect(r.res.status).toBe(400);
    expect(r.res.headers.get('location')).toBeNull();
    expect(r.body).toContain('invalid_client');
  });

  it('shows an error page when the redirect URI was unregistered while the user was on the page', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const { jar, form } = await openConsent(c, user);
    await t.dataSource
      .getRepository(ClientEntity)
      .update({ id: c.clientId }, { redirectUris: ['https://app.example.com/other'] });
    const r = await send(jar, `${t.url}${CONSENT}`, {
      form: { ...form.hidden, decision: 'allow' },
    });
    expect(r.res.status).toBe(400);
    expect(r.res.headers.get('location')).toBeNull();
  });

  it('forgets the consents of a client deleted through the registration API', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    await authorize(t, params(c), user);
    expect(await consents().countBy({ clientId: c.clientId })).toBe(1);
    await request(t.url)
      .delete(`/api/v1/oauth/register/${c.clientId}`)
      .set('Authorization', `Bearer ${c.registrationAccessToken}`)
      .expect(204);
    expect(await consents().countBy({ clientId: c.clientId })).toBe(0);
  });

  it('allows the redirect to the client in the consent page CSP form-action (browsers enforce it on redirects)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t, {
      applicationType: 'native',
      tokenEndpointAuthMethod: 'none',
      redirectUris: ['com.example.app:/oauth'],
    });
    const { res } = await openConsent(c, user, {
      redirect_uri: 'com.example.app:/oauth',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    expect(res.headers.get('content-security-policy')).toContain(
      "form-action 'self' com.example.app:",
    );
  });
});
