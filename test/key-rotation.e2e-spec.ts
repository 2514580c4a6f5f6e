import { PassThrough, Readable } from 'node:stream';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runKeysRotate } from '../src/cli/index.js';
import { AddSigningKeyActivation1733300000000 } from '../src/database/migrations/1733300000000-AddSigningKeyActivation.js';
import { JwtService, KeyCacheService, KeyStoreService } from '../src/keys/index.js';
import { seedClient } from './helpers/clients.js';
import { controlClock, type ControlledClock } from './helpers/clock.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { basic, TOKEN_PATH } from './helpers/token-flow.js';

/** The JWK Set `max-age` (seconds): how long a relying party may keep a copy it fetched. */
const JWKS_MAX_AGE = 300;
/** Virtual seconds between two rounds of issuing and verifying. */
const STEP = 20;

interface Copy {
  /** Virtual time (instance A's clock) at which it was fetched. */
  at: number;
  from: string;
  keys: JWTVerifyGetKey;
  kids: string[];
}

interface Issued {
  token: string;
  at: number;
  by: string;
  kind: 'access token (ES256, HTTP)' | 'ID token (RS256)';
}

/**
 * Issue 9, "key rotation without a gap": two instances share one database; their key caches are read at
 * different moments and their clocks differ by a few seconds. `npm run keys:rotate` runs in the middle.
 * Tokens are issued on both instances all the way through (access tokens over HTTP, RS256 ID-token JWTs
 * through the same JwtService), and each one is checked the way a relying party does: against every JWK
 * Set copy either instance served in the last `max-age` seconds, and, while it is valid, against every
 * later copy. Time passes by moving the instances' clocks, never by waiting.
 */
describe(`signing-key rotation across two instances (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    a = await createTestApp({ database: db.env });
    // Same issuer: one logical server behind a load balancer.
    b = await createTestApp({ database: db.env, env: { ISSUER: a.url } });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await b?.close();
    await a?.close();
    await drop?.();
  });

  it('every token issued on either instance through a staged rotation verifies against every JWK Set copy of either instance within its max-age', async () => {
    // B's clock runs 3 s ahead of A's; the CLI shares A's time.
    const clocks: Record<string, ControlledClock> = {
      A: controlClock(a.app),
      B: controlClock(b.app, 3),
      cli: controlClock(),
    };
    let v = 0;
    const advance = (seconds: number) => {
      v += seconds;
      for (const c of Object.values(clocks)) c.advance(seconds);
    };
    const instances: Record<string, TestApp> = { A: a, B: b };
    const client = await seedClient(a, {
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
    });
    const copies: Copy[] = [];
    const issued: Issued[] = [];
    const failures: string[] = [];
    let verifications = 0;

    async function fetchCopy(name: string): Promise<Copy> {
      const res = await request(instances[name].url).get('/.well-known/jwks.json').expect(200);
      const set = res.body as JSONWebKeySet;
      const copy = {
        at: v,
        from: name,
        keys: createLocalJWKSet(set),
        kids: set.keys.map((k) => String(k.kid)),
      };
      copies.push(copy);
      return copy;
    }
    async function check(token: Issued, copy: Copy): Promise<void> {
      verifications++;
      try {
        await jwtVerify(token.token, copy.keys, {
          issuer: a.url,
          currentDate: clocks.A.date(),
          clockTolerance: 30,
        });
      } catch (e) {
        const kid = decodeProtectedHeader(token.token).kid;
        failures.push(
          `${token.kind} by ${token.by} at ${token.at} (kid ${kid}) against ${copy.from}'s JWK Set of ` +
            `${copy.at}: ${(e as Error).message}`,
        );
      }
    }
    async function issue(name: string): Promise<Issued[]> {
      const app = instances[name];
      const res = await request(app.url)
        .post(TOKEN_PATH)
        .set('Authorization', basic(client.clientId, client.clientSecret!))
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(200);
      const now = clocks[name].nowSeconds();
      const idToken = await app.app
        .get(JwtService)
        .signJwt(
          { iss: a.url, sub: 'usr_1', aud: client.clientId, iat: now, exp: now + 3600 },
          { alg: 'RS256' },
        );
      return [
        {
          token: (res.body as { access_token: string }).access_token,
          at: v,
          by: name,
          kind: 'access token (ES256, HTTP)',
        },
        { token: idToken, at: v, by: name, kind: 'ID token (RS256)' },
      ];
    }

    // Staggered caches: A reads its keys now, B 30 s later.
    await fetchCopy('A');
    advance(30);
    await fetchCopy('B');
    // Rotate between two cache reads of each instance, go on past the activation 600 s later.
    const rotateAt = 30 + 4 * STEP;
    let rotated: { alg: string; kid: string }[] = [];
    while (v <= rotateAt + 600 + 6 * STEP) {
      if (v === rotateAt) {
        // The operator's command, in-process (its output format is covered by the CLI tests).
        const out = new PassThrough();
        let stdout = '';
        out.on('data', (c: Buffer) => (stdout += c.toString()));
        const code = await runKeysRotate([], {
          env: { ...a.env, ISSUER: a.url },
          stdin: Readable.from(['']),
          stdout: out,
          stderr: new PassThrough(),
        });
        expect(code).toBe(0);
        rotated = stdout
          .trim()
          .split('\n')
          .map((line) => {
            const [alg, kid] = line.split(' ');
            return { alg, kid };
          });
      }
      const now = [await fetchCopy('A'), await fetchCopy('B')];
      const fresh = [...(await issue('A')), ...(await issue('B'))];
      // A relying party may verify a new token with any copy it fetched within max-age...
      const recent = copies.filter((c) => c.at >= v - JWKS_MAX_AGE);
      for (const token of fresh) for (const copy of recent) await check(token, copy);
      // ...and earlier tokens, still valid, with the copies fetched now.
      for (const token of issued) for (const copy of now) await check(token, copy);
      issued.push(...fresh);
      advance(STEP);
    }

    expect(failures).toEqual([]);
    // The rotation happened on both instances: each signed with the old and then the new key of each
    // algorithm.
    expect(rotated.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    const newKids = new Set(rotated.map((k) => k.kid));
    for (const by of ['A', 'B']) {
      for (const kind of ['access token (ES256, HTTP)', 'ID token (RS256)']) {
        const kids = issued
          .filter((t) => t.by === by && t.kind === kind)
          .map((t) => String(decodeProtectedHeader(t.token).kid));
        expect(new Set(kids).size, `${by} ${kind}`).toBe(2);
        expect(newKids.has(kids[0]), `${by} ${kind} first`).toBe(false);
        expect(newKids.has(kids[kids.length - 1]), `${by} ${kind} last`).toBe(true);
      }
    }
    // Both instances listed the staged keys at least max-age before their first signature.
    for (const kid of newKids) {
      const firstUse = Math.min(
        ...issued.filter((t) => decodeProtectedHeader(t.token).kid === kid).map((t) => t.at),
      );
      for (const from of ['A', 'B']) {
        const listed = copies.filter((c) => c.from === from && c.kids.includes(kid));
        expect(Math.min(...listed.map((c) => c.at)) + JWKS_MAX_AGE).toBeLessThanOrEqual(firstUse);
      }
    }
    if (process.env.KEY_ROTATION_REPORT) {
      console.info(
        `key rotation across two instances (${TEST_DB_TYPE}): ${issued.length} tokens issued, ` +
          `${verifications} verifications against ${copies.length} JWK Set copies, ` +
          `${failures.length} failures`,
      );
    }
  }, 180_000);
});

describe(`signing-key activation settings and upgrade (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { KEYS_PUBLISH_AHEAD: '900' } });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  it('stages keys KEYS_PUBLISH_AHEAD seconds ahead', async () => {
    const clock = controlClock(t.app);
    await t.app.get(KeyCacheService).getPublicJwks();
    const rotated = await t.app.get(KeyStoreService).rotate();
    expect(rotated.map((k) => k.activatesAt - clock.nowSeconds())).toEqual([900, 900]);
    vi.restoreAllMocks();
  });

  it('the migration gives existing keys activates_at = created_at, so the key that signed before the upgrade signs after it', async () => {
    const fresh = await createTestApp();
    try {
      const jwt = fresh.app.get(JwtService);
      const payload = { iss: fresh.url, sub: 'usr_1', exp: Math.floor(Date.now() / 1000) + 600 };
      const before = decodeProtectedHeader(await jwt.signJwt(payload)).kid;
      const qr = fresh.dataSource.createQueryRunner();
      try {
        // Back to the schema of the previous release (no activates_at), then forward again.
        await new AddSigningKeyActivation1733300000000().down(qr);
        await qr.query('UPDATE signing_keys SET created_at = created_at - 86400');
        await new AddSigningKeyActivation1733300000000().up(qr);
      } finally {
        await qr.release();
      }
      const rows = await fresh.dataSource.query<{ created_at: string; activates_at: string }[]>(
        'SELECT created_at, activates_at FROM signing_keys',
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Number(row.activates_at)).toBe(Number(row.created_at));
      await fresh.app.get(KeyCacheService).reload();
      expect(decodeProtectedHeader(await jwt.signJwt(payload)).kid).toBe(before);
    } finally {
      await fresh.close();
    }
  });
});
