import { ulid } from 'ulid';
import { vi } from 'vitest';
import { ClientRegistrationRepository } from '../../src/client-registration/client-registration.repository.js';
import { generateToken, nowSeconds, sha256Hex } from '../../src/common/crypto/tokens.js';
import { ClientEntity, ClientSecretEntity } from '../../src/client-registration/index.js';
import type { TestApp } from './test-app.js';

/** The client information of a registration response (RFC 7591 §3.2.1), as the tests read it. */
export interface Registered {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  [k: string]: unknown;
}

/** A client inserted straight into the store, with its plain credentials. */
export interface SeededClient {
  clientId: string;
  clientSecret?: string;
  registrationAccessToken: string;
}

/**
 * Inserts a client directly (for suites that test other modules and need a client in a given state, e.g.
 * an expired secret: `clientSecretExpiresAt`). Suites about registration itself use the HTTP endpoint.
 */
export async function seedClient(
  t: TestApp,
  seed: Partial<ClientEntity> & { clientSecretExpiresAt?: number } = {},
): Promise<SeededClient> {
  const { clientSecretExpiresAt = 0, ...overrides } = seed;
  const clientId = ulid();
  const method = overrides.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const hasSecret = method === 'client_secret_basic' || method === 'client_secret_post';
  const clientSecret = hasSecret ? generateToken('sec_') : undefined;
  const rat = generateToken('reg_');
  const repo = t.dataSource.getRepository(ClientEntity);
  const row = repo.create({
    id: clientId,
    clientIdIssuedAt: nowSeconds(),
    registrationAccessTokenHash: sha256Hex(rat),
    applicationType: 'web',
    tokenEndpointAuthMethod: method,
    redirectUris: ['https://app.example.com/callback'],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    scope: 'openid profile email offline_access',
    clientName: 'Seeded Client',
    ...overrides,
  });
  await repo.save(row);
  if (clientSecret) {
    await t.dataSource.getRepository(ClientSecretEntity).insert({
      id: ulid(),
      clientId,
      secretHash: sha256Hex(clientSecret),
      status: 'active',
      expiresAt: clientSecretExpiresAt,
    });
  }
  return { clientId, clientSecret, registrationAccessToken: rat };
}

/**
 * Holds every registration write (the transaction of a `PUT`) of `t` until `n` requests have reached it,
 * so that `n` parallel requests all authenticate before any of them writes: the race is real on every
 * database (SQLite's one connection would otherwise often serve them one after the other). Each is then
 * released in its own macrotask, as a better-sqlite3 connection runs one transaction at a time. Restored
 * once the `n` requests are released.
 */
export function holdRegistrationWritesUntil(t: TestApp, n: number): void {
  const store = t.app.get(ClientRegistrationRepository);
  const transaction = store.transaction.bind(store);
  const waiting: (() => void)[] = [];
  const spy = vi.spyOn(store, 'transaction').mockImplementation(async (work) => {
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === n) {
        // Released once: later writes of the same app (the next test) go straight to the store.
        spy.mockRestore();
        for (const r of waiting) setImmediate(r);
      }
    });
    return transaction(work);
  });
}
