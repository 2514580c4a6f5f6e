import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JwtService } from '../src/keys/index.js';
import {
  authorize,
  AuthorizeFlowError,
  CookieJar,
  createUser,
  parseForm,
  send,
} from './helpers/login-flow.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';

// OpenID Connect RP-Initiated Logout 1.0 and Back-Channel Logout 1.0 (issue 7 item 13), over real HTTP
// through the real login and consent pages, on two instances sharing one database.

const LOGOUT = '/api/v1/oauth/logout';
const CONFIRM = '/api/v1/oauth/logout/confirm';
const REDIRECT = 'https://app.example.com/callback';
const BYE = 'https://app.example.com/bye';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A relying party's back-channel logout endpoint: records each POST, answers from a plan. */
async function relyingParty() {
  const received: { token: string; contentType: string }[] = [];
  let plan: (number | 'hang')[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({
        token: new URLSearchParams(body).get('logout_token') ?? '',
        contentType: req.headers['content-type'] ?? '',
      });
      const next = plan.shift() ?? 200;
      if (next === 'hang') {
        hanging.push(res);
        return;
      }
      res.statusCode = next;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    received,
    hanging,
    reset(next: (number | 'hang')[] = []) {
      received.length = 0;
      plan = [...next];
    },
    release(status = 200) {
      for (const r of hanging.splice(0)) {
        r.statusCode = status;
        r.end();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Rp {
  clientId: string;
  secret: string;
  registered: Record<string, unknown>;
}

describe(`sign-out: RP-Initiated and Back-Channel Logout (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;
  let rp: Awaited<ReturnType<typeof relyingParty>>;
  let app: Rp;
  let other: Rp;

  beforeAll(async () => {
    rp = await relyingParty();
    const db = await createTestDatabase();
    drop = db.drop;
    a = await createTestApp({
      database: db.env,
      env: {
        REGISTRATION_RATE_LIMIT: '0',
        // The RP listens on loopback http: allowed for this test instance only (SSRF guard off).
        BACKCHANNEL_LOGOUT_ALLOW_PRIVATE: 'true',
        BACKCHANNEL_LOGOUT_RETRY_DELAY_MS: '20',
        BACKCHANNEL_LOGOUT_TIMEOUT_MS: '5000',
      },
    });
    // A second instance behind the same issuer, with the default (strict) delivery guard.
    b = await createTestApp({
      database: db.env,
      env: { ISSUER: a.url, REGISTRATION_RATE_LIMIT: '0' },
    });
    const register = async (body: object): Promise<Rp> => {
      const res = await request(a.url).post('/connect/register').send(body).expect(201);
      const r = res.body as Record<string, unknown>;
      return { clientId: r.client_id as string, secret: r.client_secret as string, registered: r };
    };
    app = await register({
      client_name: 'Logout App',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid profile',
      post_logout_redirect_uris: [BYE, `${BYE}?from=idp`],
      backchannel_logout_uri: rp.url,
      backchannel_logout_session_required: true,
    });
    other = await register({
      client_name: 'Other App',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid',
      post_logout_redirect_uris: ['https://other.example.com/bye'],
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await drop?.();
    await rp?.close();
  });
  beforeEach(() => rp.reset());

  /** Signs a new user in to `client` through the real pages and redeems the code: the browser and tokens. */
  async function signIn(
    client: Rp,
    jar = new CookieJar(),
    user?: { id: string; username: string; password: string },
    scope = 'openid',
  ) {
    const u = user ?? (await createUser(a));
    const { verifier, challenge } = pkce();
    const flow = await authorize(
      a,
      {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        scope,
        state: 'st',
        nonce: 'n-1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      u,
      { cookieJar: jar },
    );
    expect(flow.code).toBeDefined();
    const res = await postForm(
      a,
      {
        grant_type: 'authorization_code',
        code: flow.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      { auth: basic(client.clientId, client.secret) },
    );
    expect(res.status).toBe(200);
    const { id_token: idToken, refresh_token: refreshToken } = res.body as {
      id_token: string;
      refresh_token?: string;
    };
    return { jar, user: u, idToken, refreshToken, sid: decodeJwt(idToken).sid as string };
  }

  const sessionRows = async (sid: string) =>
    a.dataSource.query<unknown[]>('SELECT id_hash FROM login_sessions WHERE sid = ?', [sid]);

  const deliveries = async (sid: string) =>
    a.dataSource.query<
      {
        client_id: string;
        status: string;
        attempts: number | string;
        last_http_status: number | string | null;
        last_error: string | null;
      }[]
    >(
      'SELECT client_id, status, attempts, last_http_status, last_error FROM backchannel_logout_deliveries WHERE sid = ?',
      [sid],
    );

  /** Whether the browser is still signed in: a new authorization request goes straight to the client. */
  async function signedIn(t: TestApp, jar: CookieJar, client: Rp): Promise<boolean> {
    const { challenge } = pkce();
    const copy = new CookieJar();
    for (const [k, v] of jar.cookies) copy.cookies.set(k, v);
    try {
      const r = await authorize(
        t,
        {
          response_type: 'code',
          client_id: client.clientId,
          redirect_uri: REDIRECT,
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        null,
        { cookieJar: copy },
      );
      return r.code !== undefined;
    } catch (e) {
      if (e instanceof AuthorizeFlowError && e.body.includes('login form shown')) return false;
      throw e;
    }
  }

  it('advertises the end-session endpoint and back-channel logout in discovery', async () => {
    const meta = (await request(a.url).get('/.well-known/openid-configuration').expect(200))
      .body as Record<string, unknown>;
    expect(meta.end_session_endpoint).toBe(`${a.url}${LOGOUT}`);
    expect(meta.frontchannel_logout_supported).toBe(false);
    expect(meta.backchannel_logout_supported).toBe(true);
    expect(meta.backchannel_logout_session_supported).toBe(true);
  });

  it('puts the session id in ID tokens (sid), the same for every client of the session', async () => {
    const s = await signIn(app);
    expect(s.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await sessionRows(s.sid)).toHaveLength(1);
    const second = await signIn(other, s.jar, s.user);
    expect(second.sid).toBe(s.sid);
  });

  it('names the same session (sid) in the ID tokens issued on refresh, rotation after rotation', async () => {
    const reg = await request(a.url)
      .post('/connect/register')
      .send({
        client_name: 'Offline App',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid offline_access',
      })
      .expect(201);
    const r = reg.body as Record<string, unknown>;
    const offline: Rp = {
      clientId: r.client_id as string,
      secret: r.client_secret as string,
      registered: r,
    };
    const s = await signIn(offline, undefined, undefined, 'openid offline_access');
    let refreshToken = s.refreshToken!;
    expect(refreshToken).toBeDefined();
    for (let i = 0; i < 2; i++) {
      const res = await postForm(
        b,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        { auth: basic(offline.clientId, offline.secret) },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const body = res.body as { id_token: string; refresh_token: string };
      expect(decodeJwt(body.id_token)).toMatchObject({ sid: s.sid, sub: s.user.id });
      refreshToken = body.refresh_token;
    }
  });

  it('signs out with a valid id_token_hint: redirect with state, session row gone, cookie cleared, every instance asks to log in again', async () => {
    const s = await signIn(app);
    const before = new CookieJar();
    for (const [k, v] of s.jar.cookies) before.cookies.set(k, v);
    expect(await signedIn(b, before, app)).toBe(true);

    const q = new URLSearchParams({
      id_token_hint: s.idToken,
      post_logout_redirect_uri: BYE,
      state: 'after-logout',
      ui_locales: 'de en',
    });
    const out = await send(s.jar, `${a.url}${LOGOUT}?${q.toString()}`);
    expect(out.res.status).toBe(302);
    expect(out.res.headers.get('location')).toBe(`${BYE}?state=after-logout`);
    expect(s.jar.lastSetCookie('authms_session')).toMatch(/^authms_session=;.*Path=\//);
    expect(s.jar.cookies.has('authms_session')).toBe(false);
    expect(await sessionRows(s.sid)).toHaveLength(0);
    // The old cookie value (a copy kept by an attacker, or a stale tab) is refused by both instances.
    expect(await signedIn(a, before, app)).toBe(false);
    expect(await signedIn(b, before, app)).toBe(false);
  });

  it('keeps the registered query of post_logout_redirect_uri and accepts POST (303)', async () => {
    const s = await signIn(app);
    const out = await send(s.jar, `${a.url}${LOGOUT}`, {
      form: { id_token_hint: s.idToken, post_logout_redirect_uri: `${BYE}?from=idp`, state: 's 1' },
    });
    expect(out.res.status).toBe(303);
    expect(out.res.headers.get('location')).toBe(`${BYE}?from=idp&state=s+1`);
    expect(await sessionRows(s.sid)).toHaveLength(0);
  });

  it('ends the session named by the hint’s sid on a cross-site POST that carries no cookie', async () => {
    const s = await signIn(app);
    const noCookies = new CookieJar();
    const out = await send(noCookies, `${a.url}${LOGOUT}`, {
      form: { id_token_hint: s.idToken, post_logout_redirect_uri: BYE },
    });
    expect(out.res.status).toBe(303);
    expect(await sessionRows(s.sid)).toHaveLength(0);
    expect(await signedIn(a, s.jar, app)).toBe(false);
  });

  it('accepts an expired id_token_hint signed with our keys (RP-Initiated Logout §2)', async () => {
    const s = await signIn(app);
    const claims = decodeJwt(s.idToken);
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await a.app
      .get(JwtService)
      .signJwt({ ...claims, iat: past, exp: past + 60 }, { typ: 'JWT', alg: 'RS256' });
    const q = new URLSearchParams({ id_token_hint: expired, post_logout_redirect_uri: BYE });
    const out = await send(s.jar, `${a.url}${LOGOUT}?${q.toString()}`);
    expect(out.res.status).toBe(302);
    expect(await sessionRows(s.sid)).toHaveLength(0);
  });

  it('refuses an invalid, forged or non-ID-token hint with 400 invalid_request and keeps the session', async () => {
    const s = await signIn(app);
    const [h, p] = s.idToken.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...decodeJwt(s.idToken), sub: 'usr_someone_else' }),
    ).toString('base64url');
    const accessToken = await a.app
      .get(JwtService)
      .signJwt(
        { iss: a.url, sub: s.user.id, aud: app.clientId, exp: Math.floor(Date.now() / 1000) + 60 },
        { typ: 'at+jwt' },
      );
    for (const hint of [
      'not-a-jwt',
      `${h}.${forgedPayload}.${s.idToken.split('.')[2]}`,
      `${h}.${p}.${'A'.repeat(342)}`,
      accessToken,
    ]) {
      const q = new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: BYE });
      const out = await send(s.jar, `${a.url}${LOGOUT}?${q.toString()}`, {
        headers: { Accept: 'application/json' },
      });
      expect(out.res.status).toBe(400);
      expect(JSON.parse(out.body)).toMatchObject({ error: 'invalid_request' });
      expect(out.res.headers.get('location')).toBeNull();
    }
    // The HTML variant is an error page, never a redirect.
    const page = await send(s.jar, `${a.url}${LOGOUT}?id_token_hint=bad`);
    expect(page.res.status).toBe(400);
    expect(page.body).toContain('invalid_request');
    expect(await sessionRows(s.sid)).toHaveLength(1);
  });

  it('refuses a hint issued to another client than client_id, and a hint of another user', async () => {
    const s = await signIn(app);
    const mine = await signIn(other, s.jar, s.user);
    const wrongAud = new URLSearchParams({ id_token_hint: mine.idToken, client_id: app.clientId });
    const r1 = await send(s.jar, `${a.url}${LOGOUT}?${wrongAud.toString()}`, {
      headers: { Accept: 'application/json' },
    });
    expect(r1.res.status).toBe(400);
    expect(JSON.parse(r1.body).error_description).toMatch(/not issued to client_id/);

    const someoneElse = await signIn(app);
    const q = new URLSearchParams({ id_token_hint: someoneElse.idToken });
    const r2 = await send(s.jar, `${a.url}${LOGOUT}?${q.toString()}`, {
      headers: { Accept: 'application/json' },
    });
    expect(r2.res.status).toBe(400);
    expect(JSON.parse(r2.body).error_description).toMatch(/another user/);
    expect(await sessionRows(s.sid)).toHaveLength(1);
    expect(await sessionRows(someoneElse.sid)).toHaveLength(1);
  });

  it('matches post_logout_redirect_uri exactly and refuses it without a client', async () => {
    const s = await signIn(app);
    for (const uri of [
      'https://app.example.com/bye/',
      'https://APP.example.com/bye',
      'https://evil.example/bye',
      'https://other.example.com/bye', // registered, but by another client
    ]) {
      const q = new URLSearchParams({ id_token_hint: s.idToken, post_logout_redirect_uri: uri });
      const out = await send(s.jar, `${a.url}${LOGOUT}?${q.toString()}`, {
        headers: { Accept: 'application/json' },
      });
      expect(out.res.status).toBe(400);
      expect(JSON.parse(out.body).error_description).toMatch(/not registered/);
    }
    const noClient = await send(
      s.jar,
      `${a.url}${LOGOUT}?post_logout_redirect_uri=${encodeURIComponent(BYE)}`,
      {
        headers: { Accept: 'application/json' },
      },
    );
    expect(noClient.res.status).toBe(400);
    expect(JSON.parse(noClient.body).error_description).toMatch(/needs client_id or id_token_hint/);
    const unknown = await send(s.jar, `${a.url}${LOGOUT}?client_id=01ARZ3NDEKTSV4RRFFQ69G5FAV`, {
      headers: { Accept: 'application/json' },
    });
    expect(unknown.res.status).toBe(400);
    const twice = await send(s.jar, `${a.url}${LOGOUT}?state=a&state=b`, {
      headers: { Accept: 'application/json' },
    });
    expect(twice.res.status).toBe(400);
    expect(await sessionRows(s.sid)).toHaveLength(1);
  });

  it('asks the user to confirm when there is no hint; the form is CSRF-protected', async () => {
    const s = await signIn(app);
    const q = new URLSearchParams({
      client_id: app.clientId,
      post_logout_redirect_uri: BYE,
      state: 'c',
    });
    const page = await send(s.jar, `${a.url}${LOGOUT}?${q.toString()}`);
    expect(page.res.status).toBe(200);
    expect(page.res.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://app.example.com",
    );
    const form = parseForm(page.body)!;
    expect(form.action).toBe(CONFIRM);
    expect(form.hidden).toMatchObject({
      client_id: app.clientId,
      post_logout_redirect_uri: BYE,
      state: 'c',
    });
    // Nothing happened yet.
    expect(await sessionRows(s.sid)).toHaveLength(1);

    const forged = await send(s.jar, `${a.url}${CONFIRM}`, {
      form: { ...form.hidden, csrf_token: 'forged', decision: 'logout' },
    });
    expect(forged.res.status).toBe(403);
    // Another browser's token (its own session) does not fit this session either.
    const otherBrowser = await signIn(app);
    const otherPage = parseForm(
      (await send(otherBrowser.jar, `${a.url}${LOGOUT}?${q.toString()}`)).body,
    )!;
    const crossed = await send(s.jar, `${a.url}${CONFIRM}`, {
      form: { ...form.hidden, csrf_token: otherPage.hidden.csrf_token, decision: 'logout' },
    });
    expect(crossed.res.status).toBe(403);
    expect(await sessionRows(s.sid)).toHaveLength(1);

    const ok = await send(s.jar, `${a.url}${CONFIRM}`, {
      form: { ...form.hidden, decision: 'logout' },
    });
    expect(ok.res.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe(`${BYE}?state=c`);
    expect(await sessionRows(s.sid)).toHaveLength(0);
    expect(await signedIn(b, s.jar, app)).toBe(false);
  });

  it('without a hint and without a session, shows the signed-out page with a plain link instead of redirecting', async () => {
    const q = new URLSearchParams({
      client_id: app.clientId,
      post_logout_redirect_uri: BYE,
      state: 'z',
    });
    const out = await send(new CookieJar(), `${a.url}${LOGOUT}?${q.toString()}`);
    expect(out.res.status).toBe(200);
    expect(out.body).toContain('Signed out');
    expect(out.body).toContain(`href="${BYE}?state=z"`);
    const confirm = await send(new CookieJar(), `${a.url}${CONFIRM}`, {
      form: { client_id: app.clientId, post_logout_redirect_uri: BYE, decision: 'logout' },
    });
    expect(confirm.res.status).toBe(200);
    expect(confirm.res.headers.get('location')).toBeNull();
  });

  it('POSTs a logout token to each RP of the session; it verifies with jose against our JWK Set', async () => {
    const s = await signIn(app);
    await signIn(other, s.jar, s.user); // no backchannel_logout_uri: nothing sent to it
    const q = new URLSearchParams({ id_token_hint: s.idToken });
    const out = await send(s.jar, `${a.url}${LOGOUT}?${q.toString()}`);
    expect(out.res.status).toBe(200);
    await expect.poll(async () => (await deliveries(s.sid))[0]?.status).toBe('delivered');
    expect(rp.received).toHaveLength(1);
    expect(rp.received[0].contentType).toBe('application/x-www-form-urlencoded');
    const jwks = createRemoteJWKSet(new URL(`${a.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(rp.received[0].token, jwks, {
      issuer: a.url,
      audience: app.clientId,
      typ: 'logout+jwt',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.events).toEqual({ [BACKCHANNEL_EVENT]: {} });
    expect(payload.sid).toBe(s.sid);
    expect(payload.sub).toBe(s.user.id);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
    expect(payload).not.toHaveProperty('nonce');
    const rows = await deliveries(s.sid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      client_id: app.clientId,
      status: 'delivered',
      last_error: null,
    });
    expect(Number(rows[0].attempts)).toBe(1);
    expect(Number(rows[0].last_http_status)).toBe(200);
  });

  it('retries a delivery the RP answered with 500, and records the outcome', async () => {
    rp.reset([500, 200]);
    const s = await signIn(app);
    await send(
      s.jar,
      `${a.url}${LOGOUT}?${new URLSearchParams({ id_token_hint: s.idToken }).toString()}`,
    );
    await expect.poll(async () => (await deliveries(s.sid))[0]?.status).toBe('delivered');
    const [row] = await deliveries(s.sid);
    expect(Number(row.attempts)).toBe(2);
    expect(rp.received).toHaveLength(2);
  });

  it('gives up after BACKCHANNEL_LOGOUT_MAX_ATTEMPTS and records the failure', async () => {
    rp.reset([500, 503, 500, 500]);
    const s = await signIn(app);
    await send(
      s.jar,
      `${a.url}${LOGOUT}?${new URLSearchParams({ id_token_hint: s.idToken }).toString()}`,
    );
    await expect.poll(async () => (await deliveries(s.sid))[0]?.status).toBe('failed');
    const [row] = await deliveries(s.sid);
    expect(Number(row.attempts)).toBe(3);
    expect(Number(row.last_http_status)).toBe(500);
    expect(row.last_error).toBe('HTTP 500');
    expect(rp.received).toHaveLength(3);
    // A 4xx answer is final: no retry.
    rp.reset([400]);
    const t2 = await signIn(app);
    await send(
      t2.jar,
      `${a.url}${LOGOUT}?${new URLSearchParams({ id_token_hint: t2.idToken }).toString()}`,
    );
    await expect.poll(async () => (await deliveries(t2.sid))[0]?.status).toBe('failed');
    expect(Number((await deliveries(t2.sid))[0].attempts)).toBe(1);
  });

  it('answers the sign-out while the RP still holds the logout request (bounded wait)', async () => {
    rp.reset(['hang']);
    const s = await signIn(app);
    const out = await send(
      s.jar,
      `${a.url}${LOGOUT}?${new URLSearchParams({ id_token_hint: s.idToken }).toString()}`,
    );
    expect(out.res.status).toBe(200);
    // The user's sign-out is done while the RP holds the request unanswered (it answers only on release).
    await expect.poll(() => rp.hanging.length).toBe(1);
    expect(await sessionRows(s.sid)).toHaveLength(0);
    rp.release(200);
    await expect.poll(async () => (await deliveries(s.sid))[0]?.status).toBe('delivered');
  });

  it('refuses loopback http delivery targets with the default SSRF guard (instance b) and records why', async () => {
    const s = await signIn(app);
    const out = await send(
      s.jar,
      `${b.url}${LOGOUT}?${new URLSearchParams({ id_token_hint: s.idToken }).toString()}`,
    );
    expect(out.res.status).toBe(200);
    await expect.poll(async () => (await deliveries(s.sid))[0]?.status).toBe('failed');
    const [row] = await deliveries(s.sid);
    expect(row.last_error).toMatch(/scheme http: refused/);
    expect(rp.received).toHaveLength(0);
  });

  it('signs the previous user out of its RPs when another user signs in over the session', async () => {
    const first = await signIn(app);
    const next = await createUser(a);
    const { challenge } = pkce();
    const flow = await authorize(
      a,
      {
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
        prompt: 'login',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      next,
      { cookieJar: first.jar },
    );
    expect(flow.code).toBeDefined();
    expect(await sessionRows(first.sid)).toHaveLength(0);
    await expect.poll(async () => (await deliveries(first.sid))[0]?.status).toBe('delivered');
    const jwks = createRemoteJWKSet(new URL(`${a.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(rp.received[0].token, jwks, {
      issuer: a.url,
      audience: app.clientId,
      typ: 'logout+jwt',
    });
    expect(payload).toMatchObject({ sub: first.user.id, sid: first.sid });
  });

  it('builds a working end-session URL with openid-client v6 (buildEndSessionUrl) from discovery', async () => {
    const config = await oidc.discovery(new URL(a.url), app.clientId, app.secret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const s = await signIn(app);
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: s.idToken,
      post_logout_redirect_uri: BYE,
      state: 'oc',
    });
    expect(`${url.origin}${url.pathname}`).toBe(`${a.url}${LOGOUT}`);
    const out = await send(s.jar, url);
    expect(out.res.status).toBe(302);
    expect(out.res.headers.get('location')).toBe(`${BYE}?state=oc`);
    expect(await signedIn(a, s.jar, app)).toBe(false);
  });
});

describe(`logout metadata in registration (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });
  const logout = {
    post_logout_redirect_uris: ['https://app.example.com/bye'],
    backchannel_logout_uri: 'https://app.example.com/bcl',
    backchannel_logout_session_required: true,
  };
  const base = { redirect_uris: [REDIRECT], scope: 'openid' };

  it('stores and echoes the logout metadata in the flat style (register, read, update)', async () => {
    const reg = await request(t.url)
      .post('/connect/register')
      .send({ ...base, ...logout })
      .expect(201);
    expect(reg.body).toMatchObject(logout);
    const token = reg.body.registration_access_token as string;
    const read = await request(t.url)
      .get(`/connect/register/${reg.body.client_id}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(read.body).toMatchObject(logout);
    // RFC 7592 §2.2: an update replaces the metadata; omitted logout fields are cleared.
    const put = await request(t.url)
      .put(`/connect/register/${reg.body.client_id}`)
      .auth(token, { type: 'bearer' })
      .send({ ...base, client_id: reg.body.client_id })
      .expect(200);
    expect(put.body).not.toHaveProperty('post_logout_redirect_uris');
    expect(put.body).not.toHaveProperty('backchannel_logout_uri');
    expect(put.body).not.toHaveProperty('backchannel_logout_session_required');
  });

  it('keeps the contract envelope byte for byte: stores the fields but echoes none of them', async () => {
    const plain = await request(t.url).post('/api/v1/oauth/register').send(base).expect(201);
    const withLogout = await request(t.url)
      .post('/api/v1/oauth/register')
      .send({ ...base, ...logout })
      .expect(201);
    expect(Object.keys(withLogout.body.data as object).sort()).toEqual(
      Object.keys(plain.body.data as object).sort(),
    );
    const rows = await t.dataSource.query<Record<string, unknown>[]>(
      'SELECT post_logout_redirect_uris, backchannel_logout_uri, backchannel_logout_session_required FROM oauth_clients WHERE id = ?',
      [withLogout.body.data.client_id],
    );
    expect(JSON.parse(rows[0].post_logout_redirect_uris as string)).toEqual(
      logout.post_logout_redirect_uris,
    );
    expect(rows[0].backchannel_logout_uri).toBe(logout.backchannel_logout_uri);
    expect(Number(rows[0].backchannel_logout_session_required)).toBe(1);
    // The same client read through the flat endpoint, with its registration access token, shows them.
    const flat = await request(t.url)
      .get(`/connect/register/${withLogout.body.data.client_id}`)
      .auth(withLogout.body.data.registration_access_token as string, { type: 'bearer' })
      .expect(200);
    expect(flat.body).toMatchObject(logout);
  });

  it('refuses unsafe logout URIs with 400 invalid_client_metadata', async () => {
    for (const bad of [
      { post_logout_redirect_uris: ['javascript:alert(1)'] },
      { post_logout_redirect_uris: ['https://app.example.com/bye#x'] },
      { post_logout_redirect_uris: 'https://app.example.com/bye' },
      { backchannel_logout_uri: 'https://app.example.com/bcl#frag' },
      { backchannel_logout_uri: 'http://app.example.com/bcl' },
      { backchannel_logout_uri: 'data:text/plain,x' },
      { backchannel_logout_session_required: 'yes' },
    ]) {
      for (const path of ['/connect/register', '/api/v1/oauth/register']) {
        const res = await request(t.url)
          .post(path)
          .send({ ...base, ...bad });
        expect(res.status, `${path} ${JSON.stringify(bad)}`).toBe(400);
        expect(res.body.error).toBe('invalid_client_metadata');
      }
    }
  });
});
