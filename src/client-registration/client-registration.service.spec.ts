import type { AuditInput, AuditService } from '../audit/index.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateToken, sha256Hex } from '../common/crypto/tokens.js';
import { Clock } from '../common/time/clock.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { CLIENT_DELETED, CLIENT_REGISTERED } from './client-registration.events.js';
import type { RegistrationPolicy, RegistrationSettings } from './client-registration.options.js';
import type {
  ClientRegistrationRepository,
  ClientReplacement,
  StoredClient,
} from './client-registration.repository.js';
import { ClientRegistrationService } from './client-registration.service.js';
import type { SecretCandidate } from './client-secret-check.js';
import type { ClientSecretsService } from './client-secrets.service.js';

/** In-memory stand-in for the secrets service: the client's secrets, newest last. */
class FakeSecrets {
  byClient = new Map<string, SecretCandidate[]>();
  newSecretValue() {
    return generateToken('sec_');
  }
  insertFirst(_m: unknown, clientId: string, value: string, now: number) {
    return this.issue(_m, clientId, now, value);
  }
  issue(_m: unknown, clientId: string, now: number, value = this.newSecretValue()) {
    const list = this.byClient.get(clientId) ?? [];
    const expiresAt = ttl > 0 ? now + ttl : 0;
    list.push({
      id: `s${list.length}`,
      secretHash: sha256Hex(value),
      status: 'active',
      expiresAt,
      lastUsedAt: null,
    });
    this.byClient.set(clientId, list);
    return Promise.resolve({ value, expiresAt });
  }
  retireActive(_m: unknown, clientId: string) {
    for (const s of this.byClient.get(clientId) ?? []) s.status = 'inactive';
    return Promise.resolve([]);
  }
  removeAll(_m: unknown, clientId: string) {
    this.byClient.delete(clientId);
    return Promise.resolve();
  }
  hashes(clientId: string): string[] {
    return (this.byClient.get(clientId) ?? []).map((s) => s.secretHash);
  }
}
let ttl = 0;

/** In-memory stand-in for the repository, with the same conditional-write semantics. */
class FakeStore {
  rows = new Map<string, Omit<StoredClient, 'secrets'> & { deleted: boolean }>();
  constructor(private readonly secrets: FakeSecrets) {}
  transaction<T>(work: (m: unknown) => Promise<T>): Promise<T> {
    return work(null);
  }
  findWithCredentials(id: string): Promise<StoredClient | null> {
    const r = this.rows.get(id);
    const secrets = (this.secrets.byClient.get(id) ?? []).map((s) => ({ ...s }));
    return Promise.resolve(r && !r.deleted ? { ...r, secrets } : null);
  }
  insert(_m: unknown, c: Omit<StoredClient, 'version' | 'secrets'>): Promise<void> {
    this.rows.set(c.id, { ...c, version: 1, deleted: false });
    return Promise.resolve();
  }
  replaceIfCurrent(
    _m: unknown,
    id: string,
    hash: string,
    version: number | null,
    next: ClientReplacement,
  ) {
    const r = this.rows.get(id);
    if (
      !r ||
      r.deleted ||
      r.registrationAccessTokenHash !== hash ||
      (version !== null && r.version !== version)
    ) {
      return Promise.resolve(false);
    }
    this.rows.set(id, { ...r, ...next, version: r.version + 1 });
    return Promise.resolve(true);
  }
  softDeleteIfCurrent(_m: unknown, id: string, hash: string) {
    const r = this.rows.get(id);
    if (!r || r.deleted || r.registrationAccessTokenHash !== hash) return Promise.resolve(false);
    r.deleted = true;
    return Promise.resolve(true);
  }
}

/** Stand-in for AuditService: runs the work, keeps the recorded entries as (operation, entry) pairs. */
class FakeAudit {
  emitted: [string, AuditInput][] = [];
  transaction<T>(work: (manager: unknown) => Promise<T>): Promise<T> {
    return work(null);
  }
  record(_manager: unknown, input: AuditInput) {
    this.emitted.push([input.operation, input]);
    return Promise.resolve(input);
  }
}

const settings: RegistrationSettings = {
  issuer: 'https://issuer.example.com',
  routePrefix: '/api/v1',
  rotateAccessToken: true,
  rateLimit: 10,
  rateWindowSeconds: 3600,
  initialAccessTokens: [],
  secretTtlSeconds: 0,
  secretRotationGraceSeconds: 14400,
  allowHttpLoopback: true,
  allowedRedirectHosts: null,
  defaultScope: 'openid',
  scopesSupported: ['openid', 'profile'],
};
const web = { redirect_uris: ['https://app.example.com/cb'] };

describe(ClientRegistrationService.name, () => {
  let store: FakeStore;
  let secrets: FakeSecrets;
  let events: FakeAudit;
  let policy: RegistrationPolicy;
  let sut: ClientRegistrationService;
  const build = (s: Partial<RegistrationSettings> = {}) => {
    ttl = s.secretTtlSeconds ?? 0;
    return new ClientRegistrationService(
      store as unknown as ClientRegistrationRepository,
      { ...settings, ...s },
      policy,
      events as unknown as AuditService,
      secrets as unknown as ClientSecretsService,
      new Clock(),
    );
  };

  beforeEach(() => {
    secrets = new FakeSecrets();
    store = new FakeStore(secrets);
    events = new FakeAudit();
    policy = { validate: () => undefined };
    sut = build();
  });

  it('issues a secret and a registration access token and stores only their hashes (RFC 7591 §3.2.1)', async () => {
    const info = await sut.register(web, '127.0.0.1');
    expect(info.clientSecret).toMatch(/^sec_[A-Za-z0-9_-]{43}$/);
    expect(info.registrationAccessToken).toMatch(/^reg_[A-Za-z0-9_-]{43}$/);
    const row = store.rows.get(info.clientId)!;
    expect(secrets.hashes(info.clientId)).toEqual([sha256Hex(info.clientSecret!)]);
    expect(row.registrationAccessTokenHash).toBe(sha256Hex(info.registrationAccessToken));
    expect(JSON.stringify(row)).not.toContain(info.clientSecret);
    expect(events.emitted[0]?.[0]).toBe(CLIENT_REGISTERED);
  });

  it('issues no secret to public and private_key_jwt clients', async () => {
    const info = await sut.register({ ...web, token_endpoint_auth_method: 'none' }, '::1');
    expect(info.clientSecret).toBeUndefined();
    expect(secrets.hashes(info.clientId)).toEqual([]);
  });

  it('sets client_secret_expires_at from the configured lifetime', async () => {
    sut = build({ secretTtlSeconds: 600 });
    const info = await sut.register(web, '::1');
    expect(info.clientSecretExpiresAt).toBe(info.clientIdIssuedAt + 600);
  });

  it('authenticates the path client only, with the same null for unknown ids and wrong tokens', async () => {
    const a = await sut.register(web, '::1');
    const b = await sut.register(web, '::1');
    expect(await sut.authenticate(a.clientId, a.registrationAccessToken)).not.toBeNull();
    expect(await sut.authenticate(b.clientId, a.registrationAccessToken)).toBeNull();
    expect(
      await sut.authenticate('01ARZ3NDEKTSV4RRFFQ69G5FAV', a.registrationAccessToken),
    ).toBeNull();
    expect(await sut.authenticate('../etc', a.registrationAccessToken)).toBeNull();
  });

  it('lets a policy hook refuse metadata', async () => {
    policy = {
      validate: (m) => {
        if (!m.clientName) throw OAuthError.invalidClientMetadata('client_name is required here');
      },
    };
    sut = build();
    await expect(sut.register(web, '::1')).rejects.toMatchObject({
      error: 'invalid_client_metadata',
    });
    expect(store.rows.size).toBe(0);
  });

  it('replaces metadata, rotates the token and makes the old one stale (RFC 7592 §2.2)', async () => {
    const reg = await sut.register({ ...web, client_name: 'A', scope: 'openid profile' }, '::1');
    const auth = (await sut.authenticate(reg.clientId, reg.registrationAccessToken))!;
    const upd = await sut.update(auth, { redirect_uris: ['https://b.example.com/cb'] }, '::1');
    expect(upd.clientName).toBeNull();
    expect(upd.scope).toBe('openid');
    expect(upd.registrationAccessToken).not.toBe(reg.registrationAccessToken);
    expect(await sut.authenticate(reg.clientId, reg.registrationAccessToken)).toBeNull();
    // A second update with the authentication read before the first one loses.
    await expect(sut.update(auth, web, '::1')).rejects.toMatchObject({ error: 'invalid_token' });
  });

  it('keeps the token when rotation is off, and then the last writer wins (issue 7 item 15)', async () => {
    sut = build({ rotateAccessToken: false });
    const reg = await sut.register(web, '::1');
    const auth = (await sut.authenticate(reg.clientId, reg.registrationAccessToken))!;
    const upd = await sut.update(auth, web, '::1');
    expect(upd.registrationAccessToken).toBe(reg.registrationAccessToken);
    // The authentication read before the first update is still good: its token did not change.
    const second = await sut.update(auth, { ...web, client_name: 'second' }, '::1');
    expect(second.clientName).toBe('second');
  });

  it('renews an expired secret on update, shown once (RFC 7592 §2.2)', async () => {
    sut = build({ secretTtlSeconds: 60 });
    const reg = await sut.register(web, '::1');
    secrets.byClient.get(reg.clientId)![0].expiresAt = 1;
    const auth = (await sut.authenticate(reg.clientId, reg.registrationAccessToken))!;
    const upd = await sut.update(auth, { ...web, client_secret: reg.clientSecret }, '::1');
    expect(upd.clientSecret).toMatch(/^sec_/);
    expect(upd.clientSecret).not.toBe(reg.clientSecret);
    expect(secrets.byClient.get(reg.clientId)!.map((s) => s.status)).toEqual([
      'inactive',
      'active',
    ]);
  });

  it('checks client_id and client_secret in the update body', async () => {
    const reg = await sut.register(web, '::1');
    const auth = (await sut.authenticate(reg.clientId, reg.registrationAccessToken))!;
    await expect(sut.update(auth, { ...web, client_id: 'other' }, '::1')).rejects.toMatchObject({
      error: 'invalid_client_metadata',
    });
    await expect(
      sut.update(auth, { ...web, client_secret: 'sec_wrong' }, '::1'),
    ).rejects.toMatchObject({
      error: 'invalid_client_metadata',
    });
    const ok = await sut.update(
      auth,
      { ...web, client_id: reg.clientId, client_secret: reg.clientSecret },
      '::1',
    );
    expect(ok.clientSecret).toBeUndefined();
  });

  it('issues a secret when a public client becomes confidential and drops it the other way', async () => {
    const reg = await sut.register({ ...web, token_endpoint_auth_method: 'none' }, '::1');
    let auth = (await sut.authenticate(reg.clientId, reg.registrationAccessToken))!;
    const up = await sut.update(
      auth,
      { ...web, token_endpoint_auth_method: 'client_secret_post' },
      '::1',
    );
    expect(up.clientSecret).toMatch(/^sec_/);
    expect(secrets.hashes(reg.clientId)).toEqual([sha256Hex(up.clientSecret!)]);
    auth = (await sut.authenticate(reg.clientId, up.registrationAccessToken))!;
    await sut.update(auth, { ...web, token_endpoint_auth_method: 'none' }, '::1');
    expect(secrets.hashes(reg.clientId)).toEqual([]);
  });

  it('soft-deletes, emits client.deleted, and rejects the token afterwards (RFC 7592 §2.3)', async () => {
    const reg = await sut.register(web, '::1');
    const auth = (await sut.authenticate(reg.clientId, reg.registrationAccessToken))!;
    await sut.delete(auth);
    expect(events.emitted.map((e) => e[0])).toContain(CLIENT_DELETED);
    expect(await sut.authenticate(reg.clientId, reg.registrationAccessToken)).toBeNull();
    await expect(sut.delete(auth)).rejects.toMatchObject({ error: 'invalid_token' });
  });
});
