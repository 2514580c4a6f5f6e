import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitService } from '../src/rate-limit/index.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REGISTER = '/api/v1/oauth/register';
const valid = { redirect_uris: ['https://app.example.com/callback'] };

describe(`registration rate limit across instances (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({
      env: { REGISTRATION_RATE_LIMIT: '3', REGISTRATION_RATE_WINDOW: '3600' },
    });
    // A second instance on the same database, as behind a load balancer.
    const shared = Object.fromEntries(Object.entries(a.env).filter(([k]) => k.startsWith('DB_')));
    b = await createTestApp({
      database: shared,
      env: { REGISTRATION_RATE_LIMIT: '3', REGISTRATION_RATE_WINDOW: '3600' },
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts every POST per IP in the database: the 4th attempt on either instance gets 429 with Retry-After', async () => {
    await request(a.url).post(REGISTER).send(valid).expect(201);
    await request(b.url).post(REGISTER).send({}).expect(400); // failed attempts count too
    await request(a.url).post(REGISTER).send(valid).expect(201);
    for (const url of [b.url, a.url]) {
      const res = await request(url).post(REGISTER).send(valid);
      expectOAuthError(res, 429, 'rate_limit_exceeded');
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    const rows: { n: number | string }[] = await a.dataSource.query(
      'SELECT COUNT(*) AS n FROM oauth_clients',
    );
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it('does not count the management endpoints against the registration limit', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(a.url)
        .get(`${REGISTER}/01ARZ3NDEKTSV4RRFFQ69G5FAV`)
        .auth('reg_x', { type: 'bearer' });
      expectOAuthError(res, 401, 'invalid_token');
    }
  });
});

describe(`RateLimitService (${TEST_DB_TYPE})`, () => {
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
});
