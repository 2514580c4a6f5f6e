import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, AuthorizeFlowError, createUser } from './helpers/login-flow.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { assertion, basic, clientKey, JWT_BEARER, pkce, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';
const METRICS_TOKEN = `metrics-${randomBytes(16).toString('hex')}`;

/** A pino destination that keeps every line in memory. */
function captureLogs() {
  const lines: string[] = [];
  return {
    lines,
    destination: { write: (line: string) => void lines.push(line) },
    /** The parsed lines. */
    json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The request lines of `path` (the access log). */
const requestLines = (entries: Record<string, unknown>[], path?: string) =>
  entries.filter((e) => e.msg === 'request completed' && (path === undefined || e.path === path));

/** A metric's value in a Prometheus text exposition, by exact name and label set text. */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// Issue 9 "Logs" and "Metrics": one full journey with every log line captured at the most verbose level;
// afterwards no secret the journey handled may appear anywhere in the logs, and the metrics count it.
describe(`logs and metrics of a full flow (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  const logs = captureLogs();
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LOG_LEVEL: 'verbose,debug,log,warn,error,fatal',
        REGISTRATION_RATE_LIMIT: '0',
        METRICS_TOKEN,
      },
      logs: logs.destination,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs one JSON line per request with its id, route template, status, latency and client, and no secret', async () => {
    const secrets = new Map<string, string>();
    const keep = (name: string, value: string | undefined) => {
      expect(value, name).toBeTruthy();
      secrets.set(name, value!);
    };

    // RFC 7591 registration at the endpoint discovery advertises (flat).
    const reg = await request(t.url)
      .post('/connect/register')
      .set('X-Request-Id', 'trace-abc.123')
      .send({
        client_name: 'Observed App',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid profile email offline_access',
      })
      .expect(201);
    expect(reg.headers['x-request-id']).toBe('trace-abc.123');
    const client = reg.body as Record<string, string>;
    keep('client_secret', client.client_secret);
    keep('registration_access_token', client.registration_access_token);
    const auth = basic(client.client_id, client.client_secret);

    // Login (one wrong password first), consent, code.
    const user = await createUser(t);
    keep('password', user.password);
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    keep('wrong password', wrongPassword);
    const { verifier, challenge } = pkce();
    keep('code_verifier', verifier);
    const params = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid profile email offline_access',
      state: 'st-obs',
      nonce: 'no-obs',
      prompt: 'consent',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const refused = await authorize(t, params, {
      username: user.username,
      password: wrongPassword,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthorizeFlowError);
    expect((refused as AuthorizeFlowError).status).toBe(401);
    const flow = await authorize(t, params, { username: user.username, password: user.password });
    expect(flow.error, flow.errorDescription).toBeUndefined();
    keep('code', flow.code);
    for (const [name, value] of flow.jar.cookies) keep(`cookie ${name}`, value);

    // Code exchange, refresh, introspection.
    const exchanged = await postForm(
      t,
      {
        grant_type: 'authorization_code',
        code: flow.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      { auth },
    );
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
    const tokens = exchanged.body as Record<string, string>;
    keep('access_token', tokens.access_token);
    keep('refresh_token', tokens.refresh_token);
    keep('id_token', tokens.id_token);
    const refreshed = await postForm(
      t,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { auth },
    ).expect(200);
    keep('refreshed access_token', (refreshed.body as Record<string, string>).access_token);
    keep('rotated refresh_token', (refreshed.body as Record<string, string>).refresh_token);
    const introspected = await postForm(
      t,
      { token: (refreshed.body as Record<string, string>).access_token },
      { path: '/api/v1/oauth/introspect', auth },
    ).expect(200);
    expect((introspected.body as { active: boolean }).active).toBe(true);

    // A client assertion and a DPoP proof are credentials too, even on a refused request.
    const key = await clientKey();
    const jwt = await assertion(key, client.client_id, t.url);
    keep('client_assertion', jwt);
    const dpop = `dpop-${randomBytes(24).toString('base64url')}`;
    keep('DPoP proof', dpop);
    const refusedAssertion = await request(t.url)
      .post('/api/v1/oauth/token')
      .set('DPoP', dpop)
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER,
        client_assertion: jwt,
      });
    expectOAuthError(refusedAssertion, 401, 'invalid_client');

    // RFC 7592 read, update (rotates the registration access token), delete.
    const manage = `/connect/register/${client.client_id}`;
    const read = await request(t.url)
      .get(manage)
      .set('Authorization', `Bearer ${client.registration_access_token}`)
      .expect(200);
    const {
      client_secret: _s,
      registration_access_token: _r,
      ...metadata
    } = read.body as Record<string, unknown>;
    const updated = await request(t.url)
      .put(manage)
      .set('Authorization', `Bearer ${client.registration_access_token}`)
      .send({ ...metadata, client_id: client.client_id, client_name: 'Observed App 2' })
      .expect(200);
    const rotated = (updated.body as Record<string, string>).registration_access_token;
    keep('rotated registration_access_token', rotated);
    await request(t.url).delete(manage).set('Authorization', `Bearer ${rotated}`).expect(204);

    // The scrape's own token must not be logged either.
    keep('METRICS_TOKEN', METRICS_TOKEN);
    const scraped = await request(t.url)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(200);

    // Every line is JSON; the request lines carry what the issue asks for.
    const entries = logs.json();
    const text = logs.lines.join('');
    for (const [name, value] of secrets) {
      expect(text.includes(value), `${name} appears in the logs`).toBe(false);
    }
    expect(scraped.text.includes(METRICS_TOKEN)).toBe(false);

    const [regLine] = requestLines(entries, '/connect/register');
    expect(regLine).toMatchObject({
      reqId: 'trace-abc.123',
      method: 'POST',
      route: '/connect/register',
      status: 201,
      ms: expect.any(Number) as unknown,
    });
    const tokenLines = requestLines(entries, '/api/v1/oauth/token');
    expect(tokenLines.map((l) => [l.status, l.clientId])).toEqual([
      [200, client.client_id],
      [200, client.client_id],
      [401, undefined],
    ]);
    expect(tokenLines[0]).toMatchObject({ route: '/api/v1/oauth/token', level: 30 });
    const manageLines = requestLines(entries, manage);
    expect(manageLines.map((l) => [l.method, l.route, l.status, l.clientId])).toEqual([
      ['GET', '/connect/register/:client_id', 200, client.client_id],
      ['PUT', '/connect/register/:client_id', 200, client.client_id],
      ['DELETE', '/connect/register/:client_id', 204, client.client_id],
    ]);
    // Without X-Request-Id each request gets its own generated id, echoed in the response.
    const ids = requestLines(entries).map((l) => l.reqId as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      ids.filter((id) => id !== 'trace-abc.123').every((id) => /^[0-9a-f-]{36}$/.test(id)),
    ).toBe(true);
    // Paths are logged without their query string (state, PKCE values, login hints).
    expect(requestLines(entries).every((l) => !String(l.path).includes('?'))).toBe(true);
    // Nest's own lines (start-up) go through the same JSON logger, with their context.
    expect(entries.some((e) => e.context === 'NestApplication')).toBe(true);

    // The metrics counted the journey, labelled by route template (never a client id).
    const m = scraped.text;
    expect(metric(m, 'authms_registrations_total{outcome="registered"}')).toBe(1);
    expect(
      metric(m, 'authms_token_requests_total{grant_type="authorization_code",outcome="issued"}'),
    ).toBe(1);
    expect(
      metric(m, 'authms_token_requests_total{grant_type="refresh_token",outcome="issued"}'),
    ).toBe(1);
    expect(
      metric(
        m,
        'authms_token_requests_total{grant_type="client_credentials",outcome="invalid_client"}',
      ),
    ).toBe(1);
    expect(metric(m, 'authms_login_failures_total')).toBe(1);
    expect(
      metric(
        m,
        'authms_http_requests_total{method="GET",route="/connect/register/:client_id",status="200"}',
      ),
    ).toBe(1);
    expect(m.includes(client.client_id)).toBe(false);
    expect(m).toMatch(
      /^authms_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/v1\/oauth\/token",status="200"\} \d+$/m,
    );
    expect(metric(m, 'authms_signing_key_age_seconds{alg="ES256"}')).toBeGreaterThanOrEqual(0);
    expect(metric(m, 'authms_db_pool_size')).toBe(TEST_DB_TYPE === 'mysql' ? 10 : 1);
    if (TEST_DB_TYPE === 'mysql') {
      expect(metric(m, 'authms_db_pool_connections_in_use')).toBeGreaterThanOrEqual(0);
      expect(metric(m, 'authms_db_pool_waiting')).toBe(0);
    } else {
      expect(m).not.toContain('authms_db_pool_waiting');
    }
    expect(m).toContain('authms_process_cpu_seconds_total');
  });

  it('replaces an unacceptable X-Request-Id with a generated one, and labels unknown routes as one', async () => {
    const res = await request(t.url)
      .get(`/api/v1/nope/${randomBytes(4).toString('hex')}`)
      .set('X-Request-Id', 'a b\tc'.repeat(3));
    expectOAuthError(res, 404, 'not_found');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const long = await request(t.url)
      .get('/api/v1/health/live')
      .set('X-Request-Id', 'x'.repeat(129));
    expect(long.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const m = (
      await request(t.url)
        .get('/metrics')
        .set('Authorization', `Bearer ${METRICS_TOKEN}`)
        .expect(200)
    ).text;
    expect(metric(m, 'authms_http_requests_total{method="GET",route="unknown",status="404"}')).toBe(
      1,
    );
    expect(m).not.toContain('/api/v1/nope');
  });
});

describe(`metrics endpoint access (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN, REGISTRATION_RATE_LIMIT: '1' } });
    off = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await off?.close();
  });

  it('answers 404 without METRICS_TOKEN, like any unknown path', async () => {
    expectOAuthError(await request(off.url).get('/metrics'), 404, 'not_found');
    expectOAuthError(
      await request(off.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`),
      404,
      'not_found',
    );
  });

  it('answers 401 with a Bearer challenge to a missing, wrong, longer or shorter token', async () => {
    const missing = await request(t.url).get('/metrics');
    expectOAuthError(missing, 401, 'invalid_token');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
    for (const wrong of [
      `${METRICS_TOKEN.slice(0, -1)}x`,
      `${METRICS_TOKEN}x`,
      METRICS_TOKEN.slice(0, 8),
    ]) {
      const res = await request(t.url).get('/metrics').set('Authorization', `Bearer ${wrong}`);
      expectOAuthError(res, 401, 'invalid_token');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    }
    const basicAuth = await request(t.url)
      .get('/metrics')
      .set('Authorization', `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`);
    expectOAuthError(basicAuth, 401, 'invalid_token');
  });

  it('serves Prometheus text and counts rate-limit refusals per route', async () => {
    const body = { client_name: 'Limited', redirect_uris: [REDIRECT] };
    await request(t.url).post('/connect/register').send(body).expect(201);
    expectOAuthError(
      await request(t.url).post('/connect/register').send(body),
      429,
      'rate_limit_exceeded',
    );
    const res = await request(t.url)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(200)
      .expect('content-type', /^text\/plain; version=0\.0\.4/)
      .expect('cache-control', 'no-store');
    expect(metric(res.text, 'authms_rate_limit_refusals_total{route="/connect/register"}')).toBe(1);
    expect(metric(res.text, 'authms_registrations_total{outcome="registered"}')).toBe(1);
    expect(metric(res.text, 'authms_registrations_total{outcome="rate_limit_exceeded"}')).toBe(1);
  });
});
