import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginSessionEntity } from '../src/authorize/entities/login-session.entity.js';
import { AuthorizationRequestEntity } from '../src/authorize/entities/authorization-request.entity.js';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { UserEntity } from '../src/users/entities/user.entity.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import {
  authorize,
  AuthorizeFlowError,
  AUTHORIZE_PATH,
  CookieJar,
  createUser,
  parseForm,
  send,
} from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REDIRECT = 'https://app.example.com/callback';
const LOGIN = '/api/v1/oauth/login';

describe(`login step and session (${TEST_DB_TYPE})`, () => {
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

  const params = (extra: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'st',
    ...extra,
  });

  /** Starts a request in `jar` and returns the login page (body, form) it leads to. */
  async function openLogin(jar: CookieJar, extra: Record<string, string> = {}, c = client) {
    const start = await send(
      jar,
      `${t.url}${AUTHORIZE_PATH}?${new URLSearchParams(params({ client_id: c.clientId, ...extra })).toString()}`,
    );
    expect(start.res.status).toBe(302);
    const loginUrl = new URL(start.res.headers.get('location')!, t.url);
    expect(loginUrl.pathname).toBe(LOGIN);
    const page = await send(jar, loginUrl);
    return { ...page, url: loginUrl, form: parseForm(page.body)! };
  }

  const sessionCookie = (jar: CookieJar) => jar.cookies.get('authms_session');

  it('renders an accessible login form with a hidden request id and CSRF token, not cached, not framable', async () => {
    const { res, body, form } = await openLogin(new CookieJar());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' https://app.example.com");
    expect(csp).not.toContain('unsafe-inline');
    expect(body).toContain('<label for="username">');
    expect(body).toContain('<label for="password">');
    expect(body).toContain('Seeded Client');
    expect(body).not.toMatch(/<script|style=/);
    expect(form.action).toBe(LOGIN);
    expect(form.hidden.request).toMatch(/^req_/);
    expect(form.hidden.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves the stylesheet the pages link to', async () => {
    const { res, body } = await send(new CookieJar(), `${t.url}/api/v1/oauth/assets/authms.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/css/);
    expect(body).toContain('main{');
  });

  it('shows the form again with one message for a wrong password and for an unknown user (no enumeration)', async () => {
    const jar = new CookieJar();
    const { form } = await openLogin(jar);
    const wrongPassword = await send(jar, `${t.url}${LOGIN}`, {
      form: { ...form.hidden, username: user.username, password: 'wrong password!!' },
    });
    const unknownUser = await send(jar, `${t.url}${LOGIN}`, {
      form: { ...form.hidden, username: 'nobody-here', password: 'wrong password!!' },
    });
    for (const r of [wrongPassword, unknownUser]) {
      expect(r.res.status).toBe(401);
      expect(r.body).toContain('The username or password is incorrect.');
      expect(parseForm(r.body)?.hidden.csrf_token).toBe(form.hidden.csrf_token);
    }
    expect(sessionCookie(jar)).toBeUndefined();
    // The request is still usable with the right password.
    const ok = await send(jar, `${t.url}${LOGIN}`, {
      form: { ...form.hidden, username: user.username, password: user.password },
    });
    expect(ok.res.status).toBe(303);
    expect(sessionCookie(jar)).toMatch(/^ses_/);
  });

  it('refuses missing credentials with the form again', async () => {
    const jar = new CookieJar();
    const { form } = await openLogin(jar);
    const r = await send(jar, `${t.url}${LOGIN}`, { form: { ...form.hidden } });
    expect(r.res.status).toBe(401);
    expect(sessionCookie(jar)).toBeUndefined();
  });

  it.each([
    ['a wrong CSRF token', 'x'.repeat(43)],
    ['an empty CSRF token', ''],
  ])('refuses a login post with %s (403, no session)', async (_l, csrf) => {
    const jar = new CookieJar();
    const { form } = await openLogin(jar);
    const r = await send(jar, `${t.url}${LOGIN}`, {
      form: {
        request: form.hidden.request,
        csrf_token: csrf,
        username: user.username,
        password: user.password,
      },
    });
    expect(r.res.status).toBe(403);
    expect(r.body).toContain('CSRF');
    expect(sessionCookie(jar)).toBeUndefined();
  });

  it('refuses a login post from another browser even with the right CSRF token (login CSRF)', async () => {
    const { form } = await openLogin(new CookieJar());
    const other = new CookieJar();
    const r = await send(other, `${t.url}${LOGIN}`, {
      form: { ...form.hidden, username: user.username, password: user.password },
    });
    expect(r.res.status).toBe(403);
    expect(sessionCookie(other)).toBeUndefined();
    const page = await send(other, `${t.url}${LOGIN}?request=${form.hidden.request}`);
    expect(page.res.status).toBe(403);
  });

  it('refuses an unknown, expired or completed request with an error page', async () => {
    const jar = new CookieJar();
    expect((await send(jar, `${t.url}${LOGIN}?request=req_unknown`)).res.status).toBe(400);
    expect((await send(jar, `${t.url}${LOGIN}`)).res.status).toBe(400);
    const { form } = await openLogin(jar);
    await t.dataSource
      .getRepository(AuthorizationRequestEntity)
      .update({ id: form.hidden.request }, { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const expired = await send(jar, `${t.url}${LOGIN}`, {
      form: { ...form.hidden, username: user.username, password: user.password },
    });
    expect(expired.res.status).toBe(400);
    expect(expired.body).toContain('expired');
    expect(sessionCookie(jar)).toBeUndefined();
  });

  it('sets an HttpOnly, SameSite=Lax, Path=/ session cookie, stored only as a hash', async () => {
    const r = await authorize(t, params(), user);
    const line = r.jar.lastSetCookie('authms_session')!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\//);
    expect(line).not.toMatch(/Secure/);
    const value = r.jar.cookies.get('authms_session')!;
    const rows = await t.dataSource.getRepository(LoginSessionEntity).find();
    expect(rows.some((s) => s.idHash === sha256Hex(value))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(value);
  });

  it('signs in once: a second authorization in the same browser needs no login (SSO)', async () => {
    const first = await authorize(t, params(), user);
    const second = await authorize(t, params({ state: 'two' }), null, { cookieJar: first.jar });
    expect(second.pages).toEqual([]);
    expect(second.code).toMatch(/^ac_/);
    expect(second.state).toBe('two');
  });

  it('forces a new login with prompt=login and starts a new session (OIDC Core §3.1.2.1)', async () => {
    const first = await authorize(t, params(), user);
    const old = first.jar.cookies.get('authms_session')!;
    const again = await authorize(t, params({ prompt: 'login' }), user, { cookieJar: first.jar });
    expect(again.pages).toEqual([LOGIN]);
    expect(again.code).toMatch(/^ac_/);
    const now = first.jar.cookies.get('authms_session')!;
    expect(now).not.toBe(old);
    // Session fixation: the old session is gone.
    const oldRow = await t.dataSource
      .getRepository(LoginSessionEntity)
      .findOneBy({ idHash: sha256Hex(old) });
    expect(oldRow).toBeNull();
  });

  it('asks a signed-in user to sign in again on the login page when re-authentication is required', async () => {
    const first = await authorize(t, params(), user);
    const { body } = await openLogin(first.jar, { prompt: 'login' });
    expect(body).toContain('Please sign in again');
  });

  it('re-authenticates when the session is older than max_age, not when it is younger (OIDC Core §3.1.2.1)', async () => {
    const first = await authorize(t, params(), user);
    const hash = sha256Hex(first.jar.cookies.get('authms_session')!);
    const authTime = Math.floor(Date.now() / 1000) - 120;
    await t.dataSource.getRepository(LoginSessionEntity).update({ idHash: hash }, { authTime });
    const young = await authorize(t, params({ max_age: '600' }), null, { cookieJar: first.jar });
    expect(young.pages).toEqual([]);
    expect(young.code).toMatch(/^ac_/);
    const old = await authorize(t, params({ max_age: '60' }), user, { cookieJar: first.jar });
    expect(old.pages).toEqual([LOGIN]);
    expect(old.code).toMatch(/^ac_/);
  });

  it('treats max_age=0 like prompt=login', async () => {
    const first = await authorize(t, params(), user);
    const r = await authorize(t, params({ max_age: '0' }), user, { cookieJar: first.jar });
    expect(r.pages).toEqual([LOGIN]);
  });

  it('answers prompt=none without a session with login_required, redirected with state and iss (OIDC Core §3.1.2.6)', async () => {
    const r = await authorize(t, params({ prompt: 'none' }), null);
    expect(r.error).toBe('login_required');
    expect(r.state).toBe('st');
    expect(r.iss).toBe(t.url);
    expect(r.pages).toEqual([]);
  });

  it('answers prompt=none with max_age exceeded with login_required', async () => {
    const first = await authorize(t, params(), user);
    const hash = sha256Hex(first.jar.cookies.get('authms_session')!);
    await t.dataSource
      .getRepository(LoginSessionEntity)
      .update({ idHash: hash }, { authTime: Math.floor(Date.now() / 1000) - 120 });
    const r = await authorize(t, params({ prompt: 'none', max_age: '60' }), null, {
      cookieJar: first.jar,
    });
    expect(r.error).toBe('login_required');
  });

  it('issues a code silently with prompt=none when signed in and consent is remembered', async () => {
    const first = await authorize(t, params(), user);
    const r = await authorize(t, params({ prompt: 'none' }), null, { cookieJar: first.jar });
    expect(r.code).toMatch(/^ac_/);
  });

  it('ignores an expired session', async () => {
    const first = await authorize(t, params(), user);
    const hash = sha256Hex(first.jar.cookies.get('authms_session')!);
    await t.dataSource
      .getRepository(LoginSessionEntity)
      .update({ idHash: hash }, { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const r = await authorize(t, params(), user, { cookieJar: first.jar });
    expect(r.pages).toEqual([LOGIN]);
  });

  it('asks for a new login when the session user no longer exists', async () => {
    const gone = await createUser(t);
    const first = await authorize(t, params(), gone);
    await t.dataSource.getRepository(UserEntity).delete({ id: gone.id });
    const r = await authorize(t, params({ prompt: 'none' }), null, { cookieJar: first.jar });
    expect(r.error).toBe('login_required');
  });

  it('pre-fills login_hint, escaped', async () => {
    const { body } = await openLogin(new CookieJar(), {
      login_hint: '"><script>alert(1)</script>',
    });
    expect(body).not.toContain('<script>alert(1)</script>');
    expect(body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('escapes the client name on the login page (XSS)', async () => {
    const evil = await seedClient(t, {
      clientName: '<script>alert("x")</script><img src=x onerror=alert(1)>',
    });
    const { body } = await openLogin(new CookieJar(), {}, evil);
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });
});

describe(`session cookie on an https issuer (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ISSUER: 'https://auth.example.com' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names the session and binding cookies __Host- and marks them Secure, Path=/, no Domain when the issuer is https (RFC 6265bis §4.1.3.2)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const r = await authorize(
      t,
      { response_type: 'code', client_id: c.clientId, scope: 'openid', state: 's' },
      user,
    );
    expect(r.iss).toBe('https://auth.example.com');
    for (const name of ['__Host-authms_session', '__Host-authms_binding']) {
      const line = r.jar.lastSetCookie(name)!;
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/; Path=\/(;|$)/);
      expect(line).not.toMatch(/; Domain=/i);
    }
    // A sibling subdomain can plant only an unprefixed cookie: it is not read on an https issuer.
    expect(r.jar.lastSetCookie('authms_session')).toBeUndefined();
    const planted = new CookieJar();
    planted.cookies.set('authms_session', r.jar.cookies.get('__Host-authms_session')!);
    const again = await authorize(
      t,
      { response_type: 'code', client_id: c.clientId, scope: 'openid', state: 's2' },
      null,
      { cookieJar: planted },
    ).catch((e: unknown) => e);
    // Without the __Host- cookie the browser has no session: the flow stops at the login page.
    expect(again).toBeInstanceOf(AuthorizeFlowError);
    expect((again as AuthorizeFlowError).body).toContain('login form shown');
  });
});
