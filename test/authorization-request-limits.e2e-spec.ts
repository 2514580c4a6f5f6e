import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestEntity } from '../src/authorize/entities/authorization-request.entity.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { AUTHORIZE_PATH } from './helpers/login-flow.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { pkce } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';

// Issue 7 item 7: every authorization request that needs the login page is kept in the database for
// 10 minutes. Its size and the number kept per client IP are bounded, across instances.
describe(`bounds on kept authorization requests (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;
  let client: SeededClient;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const env = { AUTHORIZE_PENDING_PER_IP: '3' };
    a = await createTestApp({ database: db.env, env });
    b = await createTestApp({ database: db.env, env });
    client = await seedClient(a);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const kept = () => a.dataSource.getRepository(AuthorizationRequestEntity).count();
  const query = (extra: Record<string, string> | URLSearchParams = {}) => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    for (const [k, v] of new URLSearchParams(extra)) q.append(k, v);
    return `${AUTHORIZE_PATH}?${q.toString()}`;
  };

  it('refuses an oversized request (10 resources of 2 000 bytes, the ~23 KB of the review) before storing it', async () => {
    const before = await kept();
    // POST /oauth/authorize, as in the review (a URL this long would not pass Node's header limit).
    const big = new URLSearchParams(query().split('?')[1]);
    for (let i = 0; i < 10; i++) {
      big.append('resource', `https://api.example.com/${i}/${'x'.repeat(1990)}`);
    }
    const res = await request(a.url).post(AUTHORIZE_PATH).type('form').send(big.toString());
    expect(res.status).toBe(303);
    const to = new URL(res.headers.location);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('error_description')).toContain('too large');
    expect(await kept()).toBe(before);
    // A request of ordinary size is kept (and counted below).
    const ok = await request(a.url).get(query({ resource: 'https://api.example.com/v1' }));
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toMatch(/\/api\/v1\/oauth\/login\?request=req_/);
    expect(await kept()).toBe(before + 1);
  });

  it('keeps at most AUTHORIZE_PENDING_PER_IP requests per IP, counted across instances, then 429', async () => {
    // One kept by the test above; one more on A, one on B: three in all.
    expect((await request(a.url).get(query())).status).toBe(302);
    expect((await request(b.url).get(query())).status).toBe(302);
    const before = await kept();
    const refused = await request(b.url).get(query());
    expect(refused.status).toBe(429);
    expect(refused.headers.location).toBeUndefined();
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('rate_limit_exceeded');
    expect(refused.text).toContain('Too many sign-in requests');
    expect(await kept()).toBe(before);
    const json = await request(a.url).get(query()).set('Accept', 'application/json');
    expectOAuthError(json, 429, 'rate_limit_exceeded');
  });
});
