import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEntity } from '../src/client-registration/index.js';
import { seedClient } from './helpers/clients.js';
import { controlClock, type ControlledClock } from './helpers/clock.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, postForm } from './helpers/token-flow.js';

// Idle-client reaping needs to know when a client last obtained a token, and the token endpoint must
// not pay a write per request for it: last_token_at moves at most about once a minute per client.
describe(`last_token_at: when a client last obtained a token (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let clock: ControlledClock;
  beforeAll(async () => {
    t = await createTestApp();
    clock = controlClock(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  const row = (id: string) => t.dataSource.getRepository(ClientEntity).findOneByOrFail({ id });

  it('is null until the first token, then follows token requests at a one-minute resolution', async () => {
    const c = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
    });
    const auth = basic(c.clientId, c.clientSecret!);
    const token = async () =>
      expect((await postForm(t, { grant_type: 'client_credentials' }, { auth })).status).toBe(200);
    const before = await row(c.clientId);
    expect(before.lastTokenAt).toBeNull();

    await token();
    const first = clock.nowSeconds();
    expect((await row(c.clientId)).lastTokenAt).toBe(first);

    // Within the minute: no write, whatever the number of requests.
    clock.advance(30);
    await token();
    await token();
    expect((await row(c.clientId)).lastTokenAt).toBe(first);

    clock.advance(31);
    await token();
    const after = await row(c.clientId);
    expect(after.lastTokenAt).toBe(clock.nowSeconds());
    // Usage is not an update of the client: a concurrent RFC 7592 PUT must not lose to it.
    expect(after.version).toBe(before.version);
  });

  it('does not move on a failed token request', async () => {
    const c = await seedClient(t, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
    });
    const res = await postForm(
      t,
      { grant_type: 'client_credentials' },
      { auth: basic(c.clientId, 'sec_wrong') },
    );
    expect(res.status).toBe(401);
    expect((await row(c.clientId)).lastTokenAt).toBeNull();
  });
});
