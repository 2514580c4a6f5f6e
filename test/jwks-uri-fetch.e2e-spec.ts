import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEntity } from '../src/client-registration/entities/client.entity.js';
import { seedClient } from './helpers/clients.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { assertion, clientKey, JWT_BEARER, postForm, serveJwks } from './helpers/token-flow.js';

const CC = {
  grantTypes: ['client_credentials'],
  responseTypes: [],
  redirectUris: [],
  scope: 'profile',
  tokenEndpointAuthMethod: 'private_key_jwt' as const,
};

/**
 * Issue 7 item 10: a client whose `jwks_uri` cannot be fetched must not make the server send an outbound
 * GET for every assertion it presents; a failure is cached briefly and each client may cause at most
 * `JWKS_URI_FETCH_LIMIT` fetches per minute, across instances.
 */
describe(`jwks_uri fetch failures and per-client fetch limit (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let failing: Awaited<ReturnType<typeof serveJwks>>;
  let key: Awaited<ReturnType<typeof clientKey>>;

  beforeAll(async () => {
    t = await createTestApp({ env: { JWKS_URI_ALLOW_PRIVATE: 'true' } });
    key = await clientKey();
    // Answers 200 with a document that is not a JWK Set: a failed fetch, as a dead or hostile host.
    failing = await serveJwks(() => ({ not: 'a key set' }));
  });
  afterAll(async () => {
    await failing?.close();
    await t?.close();
  });

  const send = async (clientId: string) =>
    postForm(t, {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(key, clientId, t.url),
    });

  it('sends one outbound request for repeated assertions of a client whose jwks_uri fails', async () => {
    const { clientId } = await seedClient(t, { ...CC, jwksUri: failing.url });
    const before = failing.hits();
    for (let i = 0; i < 4; i++) expectOAuthError(await send(clientId), 401, 'invalid_client');
    expect(failing.hits() - before).toBe(1);
  });

  it('bounds the fetches of a client that changes its jwks_uri between assertions (5 per minute)', async () => {
    const { clientId } = await seedClient(t, { ...CC, jwksUri: failing.url });
    const clients = t.dataSource.getRepository(ClientEntity);
    // The limit counts in fixed one-minute windows: start well inside one, not at its last seconds.
    const left = 60 - (Math.floor(Date.now() / 1000) % 60);
    if (left < 5) await new Promise((r) => setTimeout(r, left * 1000));
    const before = failing.hits();
    for (let i = 0; i < 8; i++) {
      await clients.update(clientId, { jwksUri: `${failing.url}?attempt=${i}` });
      expectOAuthError(await send(clientId), 401, 'invalid_client');
    }
    expect(failing.hits() - before).toBe(5);
  });
});
