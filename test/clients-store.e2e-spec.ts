import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientsModule, ClientsService } from '../src/client-registration/index.js';
import { seedClient } from './helpers/clients.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe('ClientsService (the client store other modules read)', () => {
  let t: TestApp;
  let sut: ClientsService;
  beforeAll(async () => {
    t = await createTestApp({ imports: [ClientsModule] });
    sut = t.app.get(ClientsService);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds an active client and checks its secret in constant time', async () => {
    const c = await seedClient(t);
    const found = await sut.findActiveById(c.clientId);
    expect(found).toMatchObject({
      clientId: c.clientId,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });
    expect(await sut.checkSecret(c.clientId, c.clientSecret!)).toBe('valid');
    expect(await sut.checkSecret(c.clientId, `${c.clientSecret!}x`)).toBe('invalid');
  });

  it('reports an expired secret (RFC 7591 §3.2.1 client_secret_expires_at)', async () => {
    const c = await seedClient(t, { clientSecretExpiresAt: 1000 });
    expect(await sut.checkSecret(c.clientId, c.clientSecret!)).toBe('expired');
  });

  it('hides soft-deleted and unknown clients', async () => {
    const c = await seedClient(t, { deletedAt: new Date() });
    expect(await sut.findActiveById(c.clientId)).toBeNull();
    expect(await sut.checkSecret(c.clientId, c.clientSecret!)).toBe('invalid');
    expect(await sut.findActiveById('not-a-ulid')).toBeNull();
  });
});
