import { Logger } from '@nestjs/common';
import {
  base64url,
  createLocalJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Clock } from '../src/common/time/clock.js';
import {
  JwtService,
  JwtVerificationError,
  KeyCacheService,
  KeyStoreService,
} from '../src/keys/index.js';
import { controlClock, type ControlledClock } from './helpers/clock.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

interface KeyRow {
  kid: string;
  alg: string;
  status: string;
  public_jwk: string;
  private_key_enc: string;
  active_slot: number | null;
  retired_at: number | string | null;
  not_after: number | string | null;
}

async function keyRows(t: TestApp): Promise<KeyRow[]> {
  return t.dataSource.query<KeyRow[]>('SELECT * FROM signing_keys ORDER BY created_at, kid');
}

async function fetchJwks(t: TestApp): Promise<{ keys: Record<string, unknown>[] }> {
  const res = await request(t.url).get('/.well-known/jwks.json').expect(200);
  return res.body as { keys: Record<string, unknown>[] };
}

/** Claims of a test token, timed by the app's own clock (which tests move). */
function claims(t: TestApp, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = t.app.get(Clock).nowSeconds();
  return { iss: t.url, sub: 'usr_test', aud: 'client-1', iat: now, exp: now + 300, ...extra };
}

/** The three key services of one application. */
function keysOf(t: TestApp) {
  return {
    jwt: t.app.get(JwtService),
    cache: t.app.get(KeyCacheService),
    store: t.app.get(KeyStoreService),
  };
}

describe(`signing keys and JWKS (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let keys: JwtService;
  let cache: KeyCacheService;
  let store: KeyStoreService;
  let clock: ControlledClock;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_ACCESS_TTL: '600', TOKEN_ID_TTL: '900' } });
    ({ jwt: keys, cache, store } = keysOf(t));
    clock = controlClock(t.app);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  it('publishes one key per algorithm in use, ES256 (access tokens) and RS256 (ID tokens), with kid, alg and use=sig and no private members (RFC 7517 §4, §5)', async () => {
    const res = await request(t.url).get('/.well-known/jwks.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const jwks = res.body as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(2);
    const [ec, rsa] = jwks.keys;
    expect(Object.keys(ec).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(ec).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(Object.keys(rsa).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(rsa).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(Buffer.from(String(rsa.n), 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
    for (const key of jwks.keys) {
      expect(typeof key.kid).toBe('string');
      for (const m of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(m);
    }
  });

  it('serves the JWK Set at the host root only, not under /api/v1 (RFC 8414 §2 jwks_uri)', async () => {
    await request(t.url).get('/api/v1/.well-known/jwks.json').expect(404);
  });

  it('stores the private keys encrypted (AES-256-GCM envelope), never as PEM or a plain JWK, each algorithm in its own active slot', async () => {
    const rows = await keyRows(t);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.private_key_enc).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(row.private_key_enc).not.toMatch(/BEGIN|PRIVATE|"d"|"p"|"q"|"kty"/);
      const publicJwk = JSON.parse(row.public_jwk) as Record<string, unknown>;
      for (const m of PRIVATE_MEMBERS) expect(publicJwk).not.toHaveProperty(m);
      expect(row.status).toBe('active');
    }
    const slots = Object.fromEntries(rows.map((r) => [r.alg, Number(r.active_slot)]));
    expect(slots).toEqual({ ES256: 1, RS256: 2 });
  });

  it('signs JWTs that jose verifies against the published JWK Set, header alg/kid/typ set (RFC 7515 §4.1)', async () => {
    const token = await keys.signJwt(claims(t), { typ: 'at+jwt' });
    const jwks = createLocalJWKSet(await fetchJwks(t));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: t.url,
      audience: 'client-1',
      typ: 'at+jwt',
    });
    expect(payload.sub).toBe('usr_test');
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(protectedHeader.kid).toBe((await fetchJwks(t)).keys[0].kid);
    expect(decodeProtectedHeader(await keys.signJwt(claims(t))).typ).toBe('JWT');
  });

  it('signs with the key of the algorithm asked for (default KEYS_ALG); verifyJwt accepts every published key', async () => {
    const [ec, rsa] = (await fetchJwks(t)).keys;
    const es = await keys.signJwt(claims(t));
    const rs = await keys.signJwt(claims(t), { alg: 'RS256' });
    expect(decodeProtectedHeader(es)).toMatchObject({ alg: 'ES256', kid: ec.kid });
    expect(decodeProtectedHeader(rs)).toMatchObject({ alg: 'RS256', kid: rsa.kid });
    const set = createLocalJWKSet(await fetchJwks(t));
    for (const token of [es, rs]) {
      await jwtVerify(token, set, { issuer: t.url });
      await expect(keys.verifyJwt(token)).resolves.toMatchObject({ sub: 'usr_test' });
    }
    expect(store.configuredAlgs()).toEqual(['ES256', 'RS256']);
  });

  it('verifyJwt accepts its own tokens and checks typ and audience when asked', async () => {
    const token = await keys.signJwt(claims(t), { typ: 'at+jwt' });
    await expect(
      keys.verifyJwt(token, { typ: 'at+jwt', audience: 'client-1' }),
    ).resolves.toMatchObject({
      sub: 'usr_test',
    });
    await expect(keys.verifyJwt(token, { typ: 'JWT' })).rejects.toBeInstanceOf(
      JwtVerificationError,
    );
    await expect(keys.verifyJwt(token, { audience: 'other' })).rejects.toBeInstanceOf(
      JwtVerificationError,
    );
  });

  it('verifyJwt rejects a wrong issuer, expiry, future nbf and a missing exp (RFC 7519 §4.1)', async () => {
    const now = clock.nowSeconds();
    const cases = [
      claims(t, { iss: 'https://evil.example' }),
      claims(t, { iss: undefined }),
      claims(t, { exp: now - 120 }),
      claims(t, { nbf: now + 600 }),
      claims(t, { exp: undefined }),
    ];
    for (const c of cases) {
      const token = await keys.signJwt(c);
      await expect(keys.verifyJwt(token), JSON.stringify(c)).rejects.toBeInstanceOf(
        JwtVerificationError,
      );
    }
  });

  it('verifyJwt tolerates small clock skew on exp', async () => {
    const token = await keys.signJwt(claims(t, { exp: clock.nowSeconds() - 5 }));
    await expect(keys.verifyJwt(token)).resolves.toMatchObject({ sub: 'usr_test' });
  });

  it('verifyJwt rejects tampering, alg=none, foreign keys, unknown or missing kid and junk (RFC 8725 §3.1)', async () => {
    const good = await keys.signJwt(claims(t));
    const [h, , s] = good.split('.');
    const forgedPayload = base64url.encode(JSON.stringify(claims(t, { sub: 'usr_admin' })));
    const { kid } = decodeProtectedHeader(good);
    const foreign = await generateKeyPair('ES256');
    const foreignSigned = await new SignJWT(claims(t))
      .setProtectedHeader({ alg: 'ES256', kid })
      .sign(foreign.privateKey);
    const unknownKid = await new SignJWT(claims(t))
      .setProtectedHeader({ alg: 'ES256', kid: 'unknown-kid' })
      .sign(foreign.privateKey);
    const noKid = await new SignJWT(claims(t))
      .setProtectedHeader({ alg: 'ES256' })
      .sign(foreign.privateKey);
    const unsecured = new UnsecuredJWT(claims(t)).encode();
    const noneWithKid = `${base64url.encode(JSON.stringify({ alg: 'none', kid }))}.${unsecured.split('.')[1]}.`;
    const rsa = await generateKeyPair('RS256');
    const wrongAlg = await new SignJWT(claims(t))
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(rsa.privateKey);
    const bad = [
      `${h}.${forgedPayload}.${s}`,
      foreignSigned,
      unknownKid,
      noKid,
      unsecured,
      noneWithKid,
      wrongAlg,
      'not-a-jwt',
      '',
      `${h}..`,
    ];
    for (const token of bad) {
      await expect(keys.verifyJwt(token), token).rejects.toBeInstanceOf(JwtVerificationError);
    }
  });

  it('reloads at most once per interval for unknown kids, so junk tokens cannot hammer the database', async () => {
    const foreign = await generateKeyPair('ES256');
    // Step past any earlier unknown-kid reload so exactly the first junk token may trigger one.
    clock.advance(5);
    const reload = vi.spyOn(cache, 'reload');
    try {
      for (let i = 0; i < 5; i++) {
        const token = await new SignJWT(claims(t))
          .setProtectedHeader({ alg: 'ES256', kid: `unknown-${i}` })
          .sign(foreign.privateKey);
        await expect(keys.verifyJwt(token)).rejects.toBeInstanceOf(JwtVerificationError);
      }
      expect(reload).toHaveBeenCalledTimes(1);
      // One interval later the next unknown kid may reload again.
      clock.advance(2);
      const token = await new SignJWT(claims(t))
        .setProtectedHeader({ alg: 'ES256', kid: 'unknown-later' })
        .sign(foreign.privateKey);
      await expect(keys.verifyJwt(token)).rejects.toBeInstanceOf(JwtVerificationError);
      expect(reload).toHaveBeenCalledTimes(2);
    } finally {
      reload.mockRestore();
    }
  });

  it('rotation stages a new key per algorithm: published at once, signing only KEYS_PUBLISH_AHEAD later; the old keys sign until then and stay published for max(TTL) plus margins', async () => {
    const before = (await fetchJwks(t)).keys;
    expect(before.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    const oldKids = before.map((k) => String(k.kid));
    const oldTokens = [
      await keys.signJwt(claims(t, { exp: clock.nowSeconds() + 3000 })),
      await keys.signJwt(claims(t, { exp: clock.nowSeconds() + 3000 }), { alg: 'RS256' }),
    ];
    const stagedAt = clock.nowSeconds();
    const rotated = await store.rotate();
    expect(rotated.map((k) => [k.alg, k.alreadyStaged])).toEqual([
      ['ES256', false],
      ['RS256', false],
    ]);
    const newKids = rotated.map((k) => k.kid);
    for (const kid of newKids) expect(oldKids).not.toContain(kid);
    for (const key of rotated) expect(key.activatesAt).toBe(stagedAt + 600);

    // Published at once (signing keys first, then the staged ones), but nothing signs with them yet.
    expect((await fetchJwks(t)).keys.map((k) => k.kid)).toEqual([...oldKids, ...newKids]);
    expect(decodeProtectedHeader(await keys.signJwt(claims(t))).kid).toBe(oldKids[0]);
    let rows = await keyRows(t);
    for (const key of rotated) {
      expect(rows.find((r) => r.kid === key.kid)).toMatchObject({ status: 'next' });
    }
    for (const kid of oldKids) {
      const old = rows.find((r) => r.kid === kid);
      // It signs until its successor activates, then verifies for max(TOKEN_ACCESS_TTL=600,
      // TOKEN_ID_TTL=900) + 60 s cache + 30 s clock tolerance.
      expect(Number(old?.retired_at)).toBe(stagedAt + 600);
      expect(Number(old?.not_after) - Number(old?.retired_at)).toBe(900 + 60 + 30);
      expect(old?.active_slot).toBeNull();
    }

    // One second before activation the old keys still sign; at activation the new ones do.
    clock.advance(599);
    expect(decodeProtectedHeader(await keys.signJwt(claims(t))).kid).toBe(oldKids[0]);
    clock.advance(1);
    const newTokens = [
      await keys.signJwt(claims(t)),
      await keys.signJwt(claims(t), { alg: 'RS256' }),
    ];
    expect(newTokens.map((tk) => decodeProtectedHeader(tk).kid)).toEqual(newKids);
    const jwks = await fetchJwks(t);
    // Signing keys first (ES256, RS256), then the retired ones.
    expect(jwks.keys.map((k) => k.kid).slice(0, 2)).toEqual(newKids);
    expect(
      jwks.keys
        .map((k) => k.kid)
        .slice(2)
        .sort(),
    ).toEqual([...oldKids].sort());
    // Relying parties holding the JWK Set verify all of them, and so do we.
    const set = createLocalJWKSet(jwks);
    for (const token of [...oldTokens, ...newTokens]) {
      await jwtVerify(token, set, { issuer: t.url, currentDate: clock.date() });
      await expect(keys.verifyJwt(token)).resolves.toMatchObject({ sub: 'usr_test' });
    }
    // The status column follows the times (written by the instance that noticed).
    await cache.reload();
    rows = await keyRows(t);
    expect(Object.fromEntries(rows.map((r) => [r.kid, r.status]))).toEqual({
      [oldKids[0]]: 'retired',
      [oldKids[1]]: 'retired',
      [newKids[0]]: 'active',
      [newKids[1]]: 'active',
    });
    const active = rows.filter((r) => r.active_slot !== null);
    expect(Object.fromEntries(active.map((r) => [Number(r.active_slot), r.kid]))).toEqual({
      1: newKids[0],
      2: newKids[1],
    });
    expect(await store.activeKeyAges()).toEqual([
      { alg: 'ES256', kid: newKids[0], activatedAt: stagedAt + 600, ageSeconds: 0 },
      { alg: 'RS256', kid: newKids[1], activatedAt: stagedAt + 600, ageSeconds: 0 },
    ]);
  });

  it('a second rotation while a key is staged keeps that key (nothing new, activation not pushed back)', async () => {
    const [first] = await store.rotate({ algs: ['ES256'] });
    expect(first.alreadyStaged).toBe(false);
    clock.advance(100);
    const [again] = await store.rotate({ algs: ['ES256'] });
    expect(again).toEqual({ ...first, alreadyStaged: true });
    expect((await keyRows(t)).filter((r) => r.status === 'next').map((r) => r.kid)).toEqual([
      first.kid,
    ]);
    clock.advance(500);
    expect(decodeProtectedHeader(await keys.signJwt(claims(t))).kid).toBe(first.kid);
  });

  it('rotating one algorithm leaves the other algorithm’s signing key alone', async () => {
    const [ec, rsa] = (await fetchJwks(t)).keys;
    const [rotated] = await store.rotate({ algs: ['RS256'] });
    expect(rotated.alg).toBe('RS256');
    clock.advance(600);
    const after = (await fetchJwks(t)).keys;
    expect(after.slice(0, 2).map((k) => k.kid)).toEqual([ec.kid, rotated.kid]);
    expect(after.map((k) => k.kid)).toContain(rsa.kid);
    expect(decodeProtectedHeader(await keys.signJwt(claims(t))).kid).toBe(ec.kid);
    expect(decodeProtectedHeader(await keys.signJwt(claims(t), { alg: 'RS256' })).kid).toBe(
      rotated.kid,
    );
  });

  it('drops retired keys from the JWK Set and from verification once their window has passed', async () => {
    const oldToken = await keys.signJwt(claims(t, { exp: clock.nowSeconds() + 100_000 }));
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const [{ kid: newKid }] = await store.rotate({ algs: ['ES256'] });
    clock.advance(600 + 990 - 1);
    expect((await fetchJwks(t)).keys.map((k) => k.kid)).toContain(oldKid);
    await expect(keys.verifyJwt(oldToken)).resolves.toMatchObject({ sub: 'usr_test' });
    clock.advance(1);
    const kids = (await fetchJwks(t)).keys.map((k) => k.kid);
    expect(kids).not.toContain(oldKid);
    expect(kids[0]).toBe(newKid);
    await expect(keys.verifyJwt(oldToken)).rejects.toBeInstanceOf(JwtVerificationError);

    // The next rotation deletes expired keys: their private halves are no longer kept at all.
    clock.advance(1);
    await store.rotate();
    expect((await keyRows(t)).map((r) => r.kid)).not.toContain(oldKid);
    clock.advance(600);
  });

  it('an emergency rotation (immediately) signs with the new key at once and withdraws every previous key of the algorithm', async () => {
    const es = await keys.signJwt(claims(t));
    const rs = await keys.signJwt(claims(t), { alg: 'RS256' });
    const [staged] = await store.rotate({ algs: ['ES256'] });
    const [emergency] = await store.rotate({ algs: ['ES256'], immediately: true });
    expect(emergency).toMatchObject({ alg: 'ES256', alreadyStaged: false });
    expect(emergency.activatesAt).toBe(clock.nowSeconds());
    const fresh = await keys.signJwt(claims(t));
    expect(decodeProtectedHeader(fresh).kid).toBe(emergency.kid);
    // The compromised key, and the key staged before, are gone from the JWK Set and from verification;
    // the other algorithm is untouched.
    const kids = (await fetchJwks(t)).keys.map((k) => k.kid);
    expect(kids).toContain(emergency.kid);
    expect(kids).not.toContain(decodeProtectedHeader(es).kid);
    expect(kids).not.toContain(staged.kid);
    expect(kids).toContain(decodeProtectedHeader(rs).kid);
    await expect(keys.verifyJwt(es)).rejects.toBeInstanceOf(JwtVerificationError);
    await expect(keys.verifyJwt(rs)).resolves.toMatchObject({ sub: 'usr_test' });
    await expect(keys.verifyJwt(fresh)).resolves.toMatchObject({ sub: 'usr_test' });
    const rows = await keyRows(t);
    expect(
      rows.filter((r) => r.alg === 'ES256' && r.active_slot !== null).map((r) => r.kid),
    ).toEqual([emergency.kid]);
  });
});

describe(`signing keys shared by instances (${TEST_DB_TYPE})`, () => {
  const apps: TestApp[] = [];
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    for (const a of apps.splice(0).reverse()) await a.close();
    await drop?.();
    drop = undefined;
  });

  async function twoInstances(
    env: Record<string, string> = {},
    envB: Record<string, string> = {},
  ): Promise<[TestApp, TestApp]> {
    const db = await createTestDatabase();
    drop = db.drop;
    const a = await createTestApp({ database: db.env, env });
    apps.push(a);
    const b = await createTestApp({
      database: db.env,
      // Same issuer: one logical server behind a load balancer.
      env: { ISSUER: a.url, ...env, ...envB },
    });
    apps.push(b);
    return [a, b];
  }

  it('two instances creating the first keys at once end with one active key per algorithm and agree on them', async () => {
    const [a, b] = await twoInstances();
    const ka = a.app.get(KeyCacheService);
    const kb = b.app.get(KeyCacheService);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => ka.getPublicJwks()),
      ...Array.from({ length: 5 }, () => kb.getPublicJwks()),
    ]);
    const kids = new Set(results.map((r) => r.keys.map((k) => k.kid).join(',')));
    expect(kids.size).toBe(1);
    expect(results[0].keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    const rows = await keyRows(a);
    expect(rows).toHaveLength(2);
    expect(Object.fromEntries(rows.map((r) => [r.alg, Number(r.active_slot)]))).toEqual({
      ES256: 1,
      RS256: 2,
    });
  });

  it('a first key is found at once although another caller read the keys just before its insert (that read is not reused)', async () => {
    const [a] = await twoInstances();
    const { cache, store } = keysOf(a);
    const realFind = store.findPublished.bind(store);
    const realCreate = store.createFirstKey.bind(store);
    let gate: Promise<void> | undefined;
    let release = (): void => undefined;
    let queried = (): void => undefined;
    vi.spyOn(store, 'findPublished').mockImplementation(async (now) => {
      const rows = await realFind(now);
      const wait = gate;
      gate = undefined;
      if (wait) {
        queried();
        await wait;
      }
      return rows;
    });
    vi.spyOn(store, 'createFirstKey').mockImplementation(async (alg) => {
      // Another caller's read runs its query before the insert and answers only after it.
      gate = new Promise((resolve) => (release = resolve));
      const didQuery = new Promise<void>((resolve) => (queried = resolve));
      const stale = cache.verificationKey('a-kid-nobody-has');
      await didQuery;
      await realCreate(alg);
      setTimeout(release, 50);
      void stale;
    });
    const key = await cache.signingKey('RS256');
    expect(key.alg).toBe('RS256');
    expect((await keyRows(a)).map((r) => r.kid)).toContain(key.kid);
  });

  it('two instances racing to sign with each algorithm first (no JWK Set read) also end with one key per algorithm', async () => {
    const [a, b] = await twoInstances();
    const ka = a.app.get(JwtService);
    const kb = b.app.get(JwtService);
    const payload = claims(a);
    const tokens = await Promise.all(
      [ka, kb, ka, kb].flatMap((k) => [
        k.signJwt(payload, { alg: 'RS256' }),
        k.signJwt(payload, { alg: 'ES256' }),
      ]),
    );
    const kidsByAlg = new Map<string, Set<unknown>>();
    for (const token of tokens) {
      const { alg, kid } = decodeProtectedHeader(token);
      kidsByAlg.set(String(alg), (kidsByAlg.get(String(alg)) ?? new Set()).add(kid));
    }
    expect([...kidsByAlg.keys()].sort()).toEqual(['ES256', 'RS256']);
    for (const kids of kidsByAlg.values()) expect(kids.size).toBe(1);
    expect(await keyRows(a)).toHaveLength(2);
    for (const token of tokens) {
      await expect(ka.verifyJwt(token)).resolves.toBeTruthy();
      await expect(kb.verifyJwt(token)).resolves.toBeTruthy();
    }
  });

  it('instances with different TOKEN_ID_ALG share the keys of each algorithm and verify each other’s tokens', async () => {
    const [a, b] = await twoInstances({ TOKEN_ID_ALG: 'ES256' }, { TOKEN_ID_ALG: 'RS256' });
    const ka = keysOf(a);
    const kb = keysOf(b);
    // Whatever an instance's own settings, its JWK Set has a key for every algorithm a token may use.
    expect((await ka.cache.getPublicJwks()).keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    const fromB = await kb.jwt.signJwt(claims(a), { alg: 'RS256' });
    await expect(ka.jwt.verifyJwt(fromB)).resolves.toMatchObject({ sub: 'usr_test' });
    expect((await ka.cache.getPublicJwks()).keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    // Rotating from A rotates every algorithm in use, including the one only B is configured for.
    const rotated = await ka.store.rotate();
    expect(rotated.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
  });

  it('a key an older version left in slot 1 with another algorithm is handed over: it leaves the slot and keeps signing its algorithm, so no key signs before it is published', async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const old = await createTestApp({
      database: db.env,
      env: { KEYS_ALG: 'RS256', TOKEN_ID_ALG: 'RS256' },
    });
    apps.push(old);
    const legacyToken = await old.app.get(JwtService).signJwt(claims(old));
    const legacyKid = decodeProtectedHeader(legacyToken).kid;
    // Before keys were per algorithm, the one active key always sat in slot 1.
    await old.dataSource.query('UPDATE signing_keys SET active_slot = 1');
    const fresh = await createTestApp({ database: db.env, env: { ISSUER: old.url } });
    apps.push(fresh);
    const keys = keysOf(fresh);
    expect(decodeProtectedHeader(await keys.jwt.signJwt(claims(old), { alg: 'RS256' })).kid).toBe(
      legacyKid,
    );
    // ES256 needs its slot: the legacy key moves out of it and remains the RS256 signing key.
    const jwks = (await keys.cache.getPublicJwks()).keys;
    expect(jwks.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    expect(jwks[1].kid).toBe(legacyKid);
    expect(decodeProtectedHeader(await keys.jwt.signJwt(claims(old), { alg: 'RS256' })).kid).toBe(
      legacyKid,
    );
    await expect(keys.jwt.verifyJwt(legacyToken)).resolves.toMatchObject({ sub: 'usr_test' });
    let rows = await keyRows(fresh);
    expect(rows.find((r) => r.kid === legacyKid)).toMatchObject({
      status: 'active',
      active_slot: null,
    });
    expect(
      Object.fromEntries(
        rows.filter((r) => r.active_slot !== null).map((r) => [r.alg, Number(r.active_slot)]),
      ),
    ).toEqual({ ES256: 1 });
    // Its next rotation stages an RS256 key in RS256's own slot, as for any other key.
    const [next] = await keys.store.rotate({ algs: ['RS256'] });
    rows = await keyRows(fresh);
    expect(rows.find((r) => r.kid === next.kid)).toMatchObject({ status: 'next' });
    expect(Number(rows.find((r) => r.kid === next.kid)?.active_slot)).toBe(2);
    expect(Number(rows.find((r) => r.kid === legacyKid)?.retired_at)).toBe(next.activatesAt);
  });

  it('each instance verifies the other’s tokens, also after a rotation made by the other has activated', async () => {
    const [a, b] = await twoInstances();
    const ka = keysOf(a);
    const kb = keysOf(b);
    const clockA = controlClock(a.app);
    const clockB = controlClock(b.app);
    const payload = claims(a, { exp: clockA.nowSeconds() + 3000 });
    await expect(kb.jwt.verifyJwt(await ka.jwt.signJwt(payload))).resolves.toMatchObject({
      sub: 'usr_test',
    });
    await expect(ka.jwt.verifyJwt(await kb.jwt.signJwt(payload))).resolves.toMatchObject({
      sub: 'usr_test',
    });

    const oldFromB = await kb.jwt.signJwt(payload, { alg: 'RS256' });
    const rotated = await ka.store.rotate();
    for (const c of [clockA, clockB]) c.advance(600);
    const newFromA = await ka.jwt.signJwt(payload, { alg: 'RS256' });
    expect(decodeProtectedHeader(newFromA).kid).toBe(rotated[1].kid);
    await expect(kb.jwt.verifyJwt(newFromA)).resolves.toMatchObject({ sub: 'usr_test' });
    await expect(ka.jwt.verifyJwt(oldFromB)).resolves.toMatchObject({ sub: 'usr_test' });
    expect((await fetchJwks(b)).keys.slice(0, 2).map((k) => k.kid)).toEqual(
      rotated.map((k) => k.kid),
    );
    vi.restoreAllMocks();
  });

  it('an instance with a different KEYS_ENCRYPTION_KEY cannot sign but still publishes the JWK Set', async () => {
    const [a, b] = await twoInstances(
      {},
      {
        KEYS_ENCRYPTION_KEY: 'b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI=',
      },
    );
    const kids = (await fetchJwks(a)).keys.map((k) => k.kid);
    const kid = kids[0];
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(b.app.get(JwtService).signJwt(claims(a))).rejects.toThrow(/cannot decrypt/);
      // The log names the kid and the cause, never key material.
      const text = JSON.stringify(logged.mock.calls);
      expect(text).toContain(String(kid));
      expect(text).not.toMatch(/v1\.[\w-]{10,}/);
    } finally {
      logged.mockRestore();
    }
    expect((await fetchJwks(b)).keys.map((k) => k.kid)).toEqual(kids);
  });
});

describe(`KEYS_ALG=RS256 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    // TOKEN_ID_ALG defaults to RS256: one key signs access and ID tokens.
    t = await createTestApp({ env: { KEYS_ALG: 'RS256' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('publishes a 2048-bit RSA public key only and signs RS256 JWTs (RFC 7518 §3.3)', async () => {
    const { jwt: keys, store } = keysOf(t);
    const jwks = await fetchJwks(t);
    // The ES256 key is there too, for clients that register id_token_signed_response_alg=ES256.
    expect(jwks.keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    const key = jwks.keys[1];
    expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(Buffer.from(String(key.n), 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
    for (const m of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(m);

    const token = await keys.signJwt(claims(t));
    expect(decodeProtectedHeader(token).alg).toBe('RS256');
    await jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: t.url });
    await expect(keys.verifyJwt(token)).resolves.toMatchObject({ sub: 'usr_test' });
    expect(store.configuredAlgs()).toEqual(['RS256', 'ES256']);
    expect((await store.rotate()).map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    for (const row of await keyRows(t)) {
      expect(row.private_key_enc).not.toMatch(/BEGIN|"d"|"p"|"q"/);
    }
  });
});

describe(`TOKEN_ID_ALG=ES256 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_ID_ALG: 'ES256' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('signs access and ID tokens with the one ES256 key when TOKEN_ID_ALG=ES256, and still publishes RS256', async () => {
    const jwks = await fetchJwks(t);
    expect(jwks.keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    expect(t.app.get(KeyStoreService).configuredAlgs()).toEqual(['ES256', 'RS256']);
    expect((await keyRows(t)).map((r) => [r.alg, Number(r.active_slot)]).sort()).toEqual([
      ['ES256', 1],
      ['RS256', 2],
    ]);
  });
});
