import { Body, Controller, Module, Post } from '@nestjs/common';
import type { Request } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  provideRateLimit,
  RateLimit,
  RateLimitModule,
  RateLimitService,
} from '../src/rate-limit/index.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { controlClock, type ControlledClock } from './helpers/clock.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { basic, TOKEN_PATH } from './helpers/token-flow.js';

const REGISTER = '/api/v1/oauth/register';
const AUTHORIZE = '/api/v1/oauth/authorize';
const LOGIN = '/api/v1/oauth/login';
const REFRESH = '/api/v1/oauth/refresh';
const valid = { redirect_uris: ['https://app.example.com/callback'] };
const CC = { grantTypes: ['client_credentials'], responseTypes: [], redirectUris: [] };

const LIMITS = {
  REGISTRATION_RATE_LIMIT: '3',
  REGISTRATION_RATE_WINDOW: '3600',
  TOKEN_RATE_LIMIT: '3',
  TOKEN_RATE_WINDOW: '60',
  AUTHORIZE_RATE_LIMIT: '2',
  AUTHORIZE_RATE_WINDOW: '60',
  LOGIN_RATE_LIMIT: '2',
  LOGIN_RATE_WINDOW: '60',
};

/** 429 `rate_limit_exceeded`, flat and no-store, with a `Retry-After` within the window (RFC 6585 §4). */
function expectRateLimited(res: request.Response, windowSeconds: number): void {
  expectOAuthError(res, 429, 'rate_limit_exceeded');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

async function counters(t: TestApp): Promise<Record<string, number>> {
  const rows = await t.dataSource.query<{ bucket_key: string; hits: number | string }[]>(
    'SELECT bucket_key, hits FROM rate_limit_counters',
  );
  return Object.fromEntries(rows.map((r) => [r.bucket_key, Number(r.hits)]));
}

describe(`rate limits declared on routes, counted once for two instances (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let clocks: ControlledClock[];
  beforeAll(async () => {
    a = await createTestApp({ env: LIMITS });
    // A second instance on the same database, as behind a load balancer.
    const shared = Object.fromEntries(Object.entries(a.env).filter(([k]) => k.startsWith('DB_')));
    b = await createTestApp({ database: shared, env: { ...LIMITS, ISSUER: a.url } });
    // Both instances at one stopped time: no window ends in the middle of a test.
    const [clockA, clockB] = [controlClock(a.app), controlClock(b.app)];
    clockB.advance(clockA.nowSeconds() - clockB.nowSeconds());
    clocks = [clockA, clockB];
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await b?.close();
    await a?.close();
  });

  it('registration: every POST per IP counts in the database, at either registration path; the 4th attempt on either instance gets 429 with Retry-After', async () => {
    const first = await request(a.url).post(REGISTER).send(valid).expect(201);
    expect(first.headers['ratelimit-limit']).toBe('3');
    expect(first.headers['ratelimit-remaining']).toBe('2');
    // Failed attempts count too, and both registration paths share one budget.
    await request(b.url).post('/connect/register').send({}).expect(400);
    const third = await request(a.url).post(REGISTER).send(valid).expect(201);
    expect(third.headers['ratelimit-remaining']).toBe('0');
    for (const url of [b.url, a.url]) {
      expectRateLimited(await request(url).post(REGISTER).send(valid), 3600);
    }
    const rows: { n: number | string }[] = await a.dataSource.query(
      'SELECT COUNT(*) AS n FROM oauth_clients',
    );
    expect(Number(rows[0]?.n)).toBe(2);
    expect((await counters(a))['register:ip:127.0.0.1']).toBe(5);
  });

  it('registration: the management endpoints do not count against the registration limit', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(a.url)
        .get(`${REGISTER}/01ARZ3NDEKTSV4RRFFQ69G5FAV`)
        .auth('reg_x', { type: 'bearer' });
      expectOAuthError(res, 401, 'invalid_token');
    }
  });

  describe('token endpoint', () => {
    let x: SeededClient;
    let y: SeededClient;
    beforeAll(async () => {
      x = await seedClient(a, CC);
      y = await seedClient(a, CC);
    });
    const cc = (url: string, c: SeededClient) =>
      request(url)
        .post(TOKEN_PATH)
        .set('Authorization', basic(c.clientId, c.clientSecret!))
        .type('form')
        .send({ grant_type: 'client_credentials' });

    it('counts per client_id and IP across instances: the 4th request of a client gets 429 with Retry-After, another client from the same IP is not held back', async () => {
      for (const url of [a.url, b.url, a.url]) expect((await cc(url, x)).status).toBe(200);
      expectRateLimited(await cc(b.url, x), 60);
      // The same client named in the body (client_secret_post) or at /oauth/refresh: the same budget.
      expectRateLimited(
        await request(a.url)
          .post(TOKEN_PATH)
          .type('form')
          .send({ grant_type: 'client_credentials', client_id: x.clientId, client_secret: 'x' }),
        60,
      );
      expectRateLimited(
        await request(b.url)
          .post(REFRESH)
          .set('Authorization', basic(x.clientId, x.clientSecret!))
          .send({ refresh_token: 'rt_unknown' }),
        60,
      );
      expect((await cc(b.url, y)).status).toBe(200);
      const rows = await counters(a);
      expect(rows[`token:client:${x.clientId}|ip:127.0.0.1`]).toBe(6);
      expect(rows[`token:client:${y.clientId}|ip:127.0.0.1`]).toBe(1);
    });

    it('is counted before client authentication: a refused request costs no secret check and reveals nothing', async () => {
      const res = await request(a.url)
        .post(TOKEN_PATH)
        .set('Authorization', basic(x.clientId, 'sec_wrong'))
        .type('form')
        .send({ grant_type: 'client_credentials' });
      // Not 401 invalid_client: the limit answers first.
      expectRateLimited(res, 60);
    });
    it('Retry-After is the time left in the window: one second early still 429, then allowed again', async () => {
      const refused = await cc(a.url, x);
      expectRateLimited(refused, 60);
      const retryAfter = Number(refused.headers['retry-after']);
      for (const c of clocks) c.advance(retryAfter - 1);
      expectRateLimited(await cc(b.url, x), 1);
      for (const c of clocks) c.advance(1);
      expect((await cc(b.url, x)).status).toBe(200);
    });
  });

  it('authorize: GET and POST /oauth/authorize count per IP across instances; the 3rd request gets 429', async () => {
    await request(a.url).get(`${AUTHORIZE}?client_id=unknown`).accept('json').expect(400);
    await request(b.url).post(AUTHORIZE).type('form').send({ client_id: 'unknown' }).expect(400);
    expectRateLimited(await request(a.url).get(`${AUTHORIZE}?client_id=unknown`), 60);
    expect((await counters(a))['authorize:ip:127.0.0.1']).toBe(3);
  });

  it('login: POST /oauth/login counts sign-in attempts per IP across instances, before the CSRF check; the 3rd gets 429', async () => {
    for (const url of [a.url, b.url]) {
      const res = await request(url).post(LOGIN).type('form').send({ request: 'x' });
      expect([400, 403]).toContain(res.status);
    }
    expectRateLimited(await request(b.url).post(LOGIN).type('form').send({ request: 'x' }), 60);
    // Showing the login page is not an attempt.
    expect((await request(a.url).get(`${LOGIN}?request=x`)).status).not.toBe(429);
    expect((await counters(a))['login:ip:127.0.0.1']).toBe(3);
  });
});

describe(`rate limits set to 0 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        REGISTRATION_RATE_LIMIT: '0',
        TOKEN_RATE_LIMIT: '0',
        AUTHORIZE_RATE_LIMIT: '0',
        LOGIN_RATE_LIMIT: '0',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are disabled: nothing is refused and nothing is counted', async () => {
    const c = await seedClient(t, CC);
    for (let i = 0; i < 4; i++) {
      await request(t.url).post(REGISTER).send(valid).expect(201);
      await request(t.url)
        .post(TOKEN_PATH)
        .set('Authorization', basic(c.clientId, c.clientSecret!))
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(200);
      await request(t.url).get(`${AUTHORIZE}?client_id=unknown`).expect(400);
      expect((await request(t.url).post(LOGIN).type('form').send({})).status).not.toBe(429);
    }
    expect(await counters(t)).toEqual({});
  });
});

describe(`RateLimitService, the throttler storage (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts concurrent hits exactly: of 30 parallel hits with limit 10, exactly 10 are allowed', async () => {
    const sut = t.app.get(RateLimitService);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => sut.hit('test:parallel', 10, 60)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterSeconds >= 1)).toBe(true);
    expect(
      results
        .map((r) => r.remaining)
        .sort((x, y) => x - y)
        .slice(-1)[0],
    ).toBe(9);
    expect(results.map((r) => r.hits).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  it('keeps keys apart, hashes over-long keys, and treats limit 0 as unlimited', async () => {
    const sut = t.app.get(RateLimitService);
    expect((await sut.hit('test:one', 1, 60)).allowed).toBe(true);
    expect((await sut.hit('test:one', 1, 60)).allowed).toBe(false);
    expect((await sut.hit('test:two', 1, 60)).allowed).toBe(true);
    const long = `test:${'x'.repeat(500)}`;
    expect((await sut.hit(long, 1, 60)).allowed).toBe(true);
    expect((await sut.hit(long, 1, 60)).allowed).toBe(false);
    expect((await sut.hit('test:zero', 0, 60)).allowed).toBe(true);
  });

  it('answers ThrottlerStorage.increment (ttl in ms, times in s) and forgets a key on reset', async () => {
    const sut = t.app.get(RateLimitService);
    const first = await sut.increment('test:storage', 60_000, 1, 60_000, 'test');
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
    expect(first.timeToExpire).toBeGreaterThan(0);
    expect(first.timeToExpire).toBeLessThanOrEqual(60);
    const second = await sut.increment('test:storage', 60_000, 1, 60_000, 'test');
    expect(second).toMatchObject({ totalHits: 2, isBlocked: true });
    expect(second.timeToBlockExpire).toBeGreaterThan(0);
    await sut.reset('test:storage');
    expect(await sut.increment('test:storage', 60_000, 1, 60_000, 'test')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
    const long = `test:${'y'.repeat(500)}`;
    await sut.hit(long, 1, 60);
    await sut.reset(long);
    expect((await sut.hit(long, 1, 60)).allowed).toBe(true);
  });
});

/** A limit another module declares on its own route, counted by a value of the body (e.g. a username). */
@Controller('rate-limit-test')
class SignInController {
  @Post('sign-in')
  @RateLimit('sign-in-user')
  signIn(@Body() body: { username?: string }): { username: string | null } {
    return { username: body.username ?? null };
  }
}

@Module({
  imports: [RateLimitModule],
  controllers: [SignInController],
  providers: [
    provideRateLimit('sign-in-user', {
      useFactory: () => ({
        limit: 2,
        windowSeconds: 300,
        tracker: (req: Request) => `user:${String((req.body as { username?: unknown }).username)}`,
      }),
    }),
  ],
})
class SignInModule {}

@Controller('rate-limit-test')
class UndeclaredController {
  @Post('nothing')
  @RateLimit('no-such-limit')
  nothing(): void {}
}

@Module({ imports: [RateLimitModule], controllers: [UndeclaredController] })
class UndeclaredModule {}

describe(`rate limits of other modules (${TEST_DB_TYPE})`, () => {
  it('a module declares its own limit with its own tracker (per username here) on the same storage', async () => {
    const t = await createTestApp({ imports: [SignInModule] });
    try {
      const signIn = (username: string) =>
        request(t.url).post('/api/v1/rate-limit-test/sign-in').send({ username });
      await signIn('alice').expect(201);
      await signIn('alice').expect(201);
      expectRateLimited(await signIn('alice'), 300);
      await signIn('bob').expect(201);
      expect(await counters(t)).toMatchObject({
        'sign-in-user:user:alice': 3,
        'sign-in-user:user:bob': 1,
      });
    } finally {
      await t.close();
    }
  });

  it('a route that declares a limit no module provides stops start-up with a message naming it', async () => {
    const db = await createTestDatabase();
    try {
      await expect(
        createTestApp({ database: db.env, imports: [UndeclaredModule] }),
      ).rejects.toThrow(/UndeclaredController declares @RateLimit\('no-such-limit'\)/);
    } finally {
      await db.drop();
    }
  });
});
