import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentsService } from '../src/authorize/index.js';
import { ConsentEntity } from '../src/authorize/entities/consent.entity.js';
import { seedClient } from './helpers/clients.js';
import { AUTHORIZE_PATH, CookieJar, createUser, parseForm, send } from './helpers/login-flow.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';

const REDIRECT = 'https://app.example.com/callback';

// Issue 7 item 14: approving consent merges the new scopes into the user's row for the client. Two
// instances sharing one database (one SQLite file, or one MariaDB database) approve at once: no scope
// may be lost, whichever instance writes last.
describe(`consent merging across two instances (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    // One after the other: each runs the migrations on start-up.
    a = await createTestApp({ database: db.env });
    b = await createTestApp({ database: db.env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const row = (userId: string, clientId: string) =>
    a.dataSource.getRepository(ConsentEntity).findOneByOrFail({ userId, clientId });

  it('keeps every scope when 40 approvals with distinct scopes race on the two instances', async () => {
    const user = await createUser(a);
    const { clientId } = await seedClient(a);
    const services = [a.app.get(ConsentsService), b.app.get(ConsentsService)];
    const scopes = Array.from({ length: 40 }, (_, i) => `scope${i}`);
    await Promise.all(scopes.map((s, i) => services[i % 2].grant(user.id, clientId, [s])));
    const stored = await row(user.id, clientId);
    expect([...stored.scopes].sort()).toEqual([...scopes].sort());
    // One row per user and client, its version counting every change.
    expect(stored.version).toBeGreaterThanOrEqual(2);
  });

  it('over HTTP: two consent forms approved at once on the two instances both count', async () => {
    const user = await createUser(a);
    const c = await seedClient(a);
    const jar = new CookieJar();
    // Sign in on instance A (the session lives in the shared database, so B knows it too).
    const first = await send(
      jar,
      `${a.url}${AUTHORIZE_PATH}?${new URLSearchParams({
        response_type: 'code',
        client_id: c.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        state: 's1',
      }).toString()}`,
    );
    const login = parseForm(
      (await send(jar, new URL(first.res.headers.get('location')!, a.url))).body,
    )!;
    const posted = await send(jar, `${a.url}/api/v1/oauth/login`, {
      form: { ...login.hidden, username: user.username, password: user.password },
    });
    const consentA = new URL(posted.res.headers.get('location')!, a.url);
    const formA = parseForm((await send(jar, consentA)).body)!;
    // A second pending request, for other scopes, opened on instance B in the same browser.
    const second = await send(
      jar,
      `${b.url}${AUTHORIZE_PATH}?${new URLSearchParams({
        response_type: 'code',
        client_id: c.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid email',
        state: 's2',
      }).toString()}`,
    );
    const consentB = new URL(second.res.headers.get('location')!, b.url);
    expect(consentB.pathname).toBe('/api/v1/oauth/consent');
    const formB = parseForm((await send(jar, consentB)).body)!;

    const [ra, rb] = await Promise.all([
      send(jar, `${a.url}/api/v1/oauth/consent`, { form: { ...formA.hidden, decision: 'allow' } }),
      send(jar, `${b.url}/api/v1/oauth/consent`, { form: { ...formB.hidden, decision: 'allow' } }),
    ]);
    expect(new URL(ra.res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    expect(new URL(rb.res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    expect([...(await row(user.id, c.clientId)).scopes].sort()).toEqual(
      ['email', 'openid', 'profile'].sort(),
    );
  });
});
