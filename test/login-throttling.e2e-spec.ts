import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LOCKED, type LoginLockedEvent } from '../src/authorize/index.js';
import { seedClient } from './helpers/clients.js';
import { AUTHORIZE_PATH, CookieJar, createUser, parseForm, send } from './helpers/login-flow.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { pkce } from './helpers/token-flow.js';

const LOGIN = '/api/v1/oauth/login';
const LOCKED = 'Too many failed sign-in attempts';
const METRICS_TOKEN = 'metrics-token-for-the-login-throttling-test';

/** Opens a login form on `t` for a fresh pending request; returns a function that posts it. */
async function loginForm(t: TestApp, clientId: string) {
  const jar = new CookieJar();
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: 'https://app.example.com/callback',
    scope: 'openid',
    state: 'st',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  });
  const start = await send(jar, `${t.url}${AUTHORIZE_PATH}?${q.toString()}`);
  const form = parseForm(
    (await send(jar, new URL(start.res.headers.get('location')!, t.url))).body,
  )!;
  return (username: string, password: string, on: TestApp = t) =>
    send(jar, `${on.url}${LOGIN}`, { form: { ...form.hidden, username, password } });
}

// Issue 7 item 2 (ASVS V2.2.1): 25 wrong passwords in 1.4 s were all answered 401, then the right one
// worked. Now failures are counted per username and per client IP in the database (so across instances),
// with growing delays, then a temporary lock with a generic message; argon2 checks are capped per instance.
describe(`login throttling (${TEST_DB_TYPE})`, () => {
  describe('per username, across two instances', () => {
    let a: TestApp;
    let b: TestApp;
    let drop: () => Promise<void>;
    let clientId: string;
    const events: LoginLockedEvent[] = [];

    beforeAll(async () => {
      const db = await createTestDatabase();
      drop = db.drop;
      const env = {
        LOGIN_RATE_LIMIT: '0',
        LOGIN_LOCKOUT_THRESHOLD: '5',
        LOGIN_IP_LOCKOUT_THRESHOLD: '0',
        // Delays from the 2nd failure on, kept tiny so the suite stays fast (no timing is asserted).
        LOGIN_DELAY_AFTER: '2',
        LOGIN_DELAY_BASE_MS: '1',
        LOGIN_DELAY_MAX_MS: '4',
      };
      a = await createTestApp({ database: db.env, env: { ...env, METRICS_TOKEN } });
      b = await createTestApp({ database: db.env, env });
      clientId = (await seedClient(a)).clientId;
      for (const t of [a, b]) {
        t.app.get(EventEmitter2).on(LOGIN_LOCKED, (e: LoginLockedEvent) => events.push(e));
      }
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await drop?.();
    });

    it('locks a username after 5 failures split over both instances; even the right password then gets 429', async () => {
      const user = await createUser(a);
      const post = await loginForm(a, clientId);
      for (let i = 0; i < 5; i++) {
        const r = await post(user.username, 'wrong password!!', i % 2 ? b : a);
        expect(r.res.status).toBe(401);
      }
      const locked = await post(user.username, user.password, b);
      expect(locked.res.status).toBe(429);
      expect(Number(locked.res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(locked.body).toContain(LOCKED);
      // Another spelling of the same username counts as the same account.
      const upper = await post(user.username.toUpperCase(), user.password, a);
      expect(upper.res.status).toBe(429);
      // One lockout event (audit, metrics), on the instance that counted the 5th failure.
      expect(events.filter((e) => e.subject === user.username)).toEqual([
        expect.objectContaining({ scope: 'username', subject: user.username }),
      ]);
      // …counted by the Prometheus metrics of that instance.
      const scraped = await request(a.url)
        .get('/metrics')
        .set('Authorization', `Bearer ${METRICS_TOKEN}`)
        .expect(200);
      expect(scraped.text).toContain('authms_login_lockouts_total{scope="username"} 1');
    });

    it('answers an unknown username exactly like a known one (no enumeration)', async () => {
      const user = await createUser(a);
      const post = await loginForm(a, clientId);
      const known: number[] = [];
      const unknown: number[] = [];
      let lastKnown = '';
      let lastUnknown = '';
      for (let i = 0; i < 6; i++) {
        const k = await post(user.username, 'wrong password!!');
        const u = await post(`nobody-${user.username}`, 'wrong password!!');
        known.push(k.res.status);
        unknown.push(u.res.status);
        lastKnown = k.body.replace(user.username, 'X');
        lastUnknown = u.body.replace(`nobody-${user.username}`, 'X');
      }
      expect(known).toEqual([401, 401, 401, 401, 401, 429]);
      expect(unknown).toEqual(known);
      expect(lastUnknown.replace(/value="[^"]*"/g, '')).toBe(
        lastKnown.replace(/value="[^"]*"/g, ''),
      );
    });

    it('a successful sign-in clears the username’s failures', async () => {
      const user = await createUser(a);
      const post = await loginForm(a, clientId);
      for (let i = 0; i < 4; i++) {
        expect((await post(user.username, 'wrong password!!')).res.status).toBe(401);
      }
      expect((await post(user.username, user.password)).res.status).toBe(303);
      const again = await loginForm(a, clientId);
      for (let i = 0; i < 4; i++) {
        expect((await again(user.username, 'wrong password!!')).res.status).toBe(401);
      }
      expect((await again(user.username, user.password)).res.status).toBe(303);
    });
  });

  describe('per client IP', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: {
          LOGIN_RATE_LIMIT: '0',
          LOGIN_LOCKOUT_THRESHOLD: '0',
          LOGIN_IP_LOCKOUT_THRESHOLD: '4',
          LOGIN_DELAY_BASE_MS: '0',
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('locks an IP that fails with 4 different usernames (password spraying), for every username', async () => {
      const { clientId } = await seedClient(t);
      const user = await createUser(t);
      const post = await loginForm(t, clientId);
      for (let i = 0; i < 4; i++) {
        expect((await post(`spray${i}`, 'Summer2026!')).res.status).toBe(401);
      }
      const locked = await post(user.username, user.password);
      expect(locked.res.status).toBe(429);
      expect(locked.body).toContain(LOCKED);
    });
  });

  describe('concurrent password checks per instance', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: {
          LOGIN_RATE_LIMIT: '0',
          LOGIN_LOCKOUT_THRESHOLD: '0',
          LOGIN_IP_LOCKOUT_THRESHOLD: '0',
          LOGIN_DELAY_BASE_MS: '0',
          LOGIN_HASH_CONCURRENCY: '1',
          LOGIN_HASH_QUEUE: '1',
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('runs one argon2 check, queues one, and answers the rest 503 temporarily_unavailable', async () => {
      const { clientId } = await seedClient(t);
      const user = await createUser(t);
      const post = await loginForm(t, clientId);
      const results = await Promise.all(
        Array.from({ length: 12 }, () => post(user.username, 'wrong password!!')),
      );
      const statuses = results.map((r) => r.res.status);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(2);
      const busy = results.filter((r) => r.res.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
      expect(busy[0].body).toContain('temporarily_unavailable');
      expect(busy[0].res.headers.get('retry-after')).toBe('1');
      // Once the burst is over, sign-in works again.
      expect((await post(user.username, user.password)).res.status).toBe(303);
    });
  });
});
