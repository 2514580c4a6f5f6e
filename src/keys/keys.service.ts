import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { DataSource, Repository } from 'typeorm';
import { nowSeconds } from '../common/crypto/tokens.js';
import { AppConfig } from '../config/app-config.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import type { ResolvedEncryptionKey } from './encryption-key.js';
import {
  decryptPrivateKey,
  developmentEncryptionKey,
  encryptPrivateKey,
} from './key-encryption.js';
import {
  decodeCompactJwt,
  importPrivateJwk,
  importPublicJwk,
  signCompactJwt,
  verifyCompactJwt,
  type SigningAlg,
} from './jwt.js';
import {
  ACTIVE_SLOT_BY_ALG,
  JWT_CLOCK_TOLERANCE_SECONDS,
  KEY_ENCRYPTION_KEY,
  KEYS_CACHE_TTL_MS,
  PUBLIC_JWK_MEMBERS,
  UNKNOWN_KID_RELOAD_INTERVAL_MS,
} from './keys.constants.js';

export type { SigningAlg } from './jwt.js';

/** Why {@link KeysService.verifyJwt} rejected a token; `cause` holds the underlying error if any. */
export class JwtVerificationError extends Error {
  override name = 'JwtVerificationError';
}

interface LoadedKey {
  kid: string;
  alg: string;
  status: SigningKeyEntity['status'];
  createdAt: number;
  notAfter: number | null;
  /** Public members plus kid, alg, use (what the JWK Set publishes). */
  jwk: Record<string, unknown>;
  publicKey: KeyObject;
}

interface KeyState {
  loadedAt: number;
  /** The signing key of each algorithm that has one (absent until its first key is created). */
  active: Map<string, LoadedKey>;
  byKid: Map<string, LoadedKey>;
}

/** A key made by {@link KeysService.rotate}. */
export interface RotatedKey {
  alg: SigningAlg;
  kid: string;
}

/** The algorithms this server signs with, in the order keys are listed (ES256 first, as its slot is 1). */
export const SIGNING_ALGS = Object.keys(ACTIVE_SLOT_BY_ALG) as SigningAlg[];

function isSigningAlg(alg: string): alg is SigningAlg {
  return Object.prototype.hasOwnProperty.call(ACTIVE_SLOT_BY_ALG, alg);
}

/**
 * The server's signing keys (RFC 7515 JWS, RFC 7517 JWK) and the JWTs made with them.
 *
 * Keys live in the `signing_keys` table so every stateless instance signs with the same keys and publishes
 * the same JWK Set. There is one active key per algorithm in use: `KEYS_ALG` for access tokens and
 * `TOKEN_ID_ALG` or a client's `id_token_signed_response_alg` for ID tokens (the same key when they name
 * one algorithm). Each instance caches them for {@link KEYS_CACHE_TTL_MS} and re-reads afterwards, so a
 * rotation made elsewhere (another instance, `npm run keys:rotate`) is picked up; a token carrying an
 * unknown `kid` triggers an early, rate-limited reload. An algorithm's first key is created on first use
 * inside a race-safe step: each algorithm has its own active slot ({@link ACTIVE_SLOT_BY_ALG}) under a
 * unique index, and a loser re-reads the winner's key.
 */
@Injectable()
export class KeysService {
  private readonly logger = new Logger(KeysService.name);
  private readonly encryptionKey: Buffer;
  private state: KeyState | null = null;
  private loading: Promise<KeyState> | null = null;
  private lastUnknownKidReload = 0;
  /** Decrypted private keys by kid. Kept out of the key state so publishing never needs decryption. */
  private readonly privateKeys = new Map<string, Promise<KeyObject>>();

  constructor(
    private readonly config: AppConfig,
    @InjectRepository(SigningKeyEntity) private readonly keys: Repository<SigningKeyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KEY_ENCRYPTION_KEY) resolved: ResolvedEncryptionKey,
  ) {
    this.encryptionKey = resolved.key;
  }

  /**
   * Signs a JWT (RFC 7519 §7.1) with the active key of `options.alg` (default `KEYS_ALG`, the access-token
   * algorithm), creating that key on first use; sets the JOSE header `alg`, `kid` and `typ` (default `JWT`;
   * e.g. `at+jwt` for RFC 9068 access tokens). The payload is signed as given: callers set `iss`, `aud`,
   * `exp`, `iat`.
   */
  async signJwt(
    payload: Record<string, unknown>,
    options: { typ?: string; alg?: SigningAlg } = {},
  ): Promise<string> {
    const active = await this.activeKey(options.alg ?? this.config.keys.alg);
    const privateKey = await this.privateKeyOf(active);
    return signCompactJwt(
      { alg: active.alg as SigningAlg, kid: active.kid, typ: options.typ ?? 'JWT' },
      payload,
      privateKey,
    );
  }

  /**
   * Verifies a JWT signed by one of our published keys (the active key of any algorithm, or a retired one
   * before its `not_after`): the signature with the key's own `alg` only (RFC 8725 §3.1), `iss` equal to
   * the issuer, a required `exp` and, when present, `nbf` (RFC 7519 §4.1.4-5) with a small clock
   * tolerance, and the header `typ` when `options.typ` is given (RFC 8725 §3.11), `aud` when
   * `options.audience` is given.
   * Throws {@link JwtVerificationError} on any failure; returns the claims.
   */
  async verifyJwt(
    token: string,
    options: { typ?: string; audience?: string } = {},
  ): Promise<Record<string, unknown>> {
    let jwt;
    try {
      jwt = decodeCompactJwt(token);
    } catch (cause) {
      throw new JwtVerificationError('malformed JWT', { cause });
    }
    const kid = jwt.header.kid;
    if (typeof kid !== 'string' || kid.length === 0) {
      throw new JwtVerificationError('JWT header has no kid');
    }
    const key = await this.findPublishedKey(kid);
    if (!key) throw new JwtVerificationError('JWT signed by an unknown or expired key');
    try {
      return verifyCompactJwt(jwt, key.publicKey, {
        alg: key.alg,
        issuer: this.config.issuer,
        audience: options.audience,
        typ: options.typ,
        clockToleranceSeconds: JWT_CLOCK_TOLERANCE_SECONDS,
        now: nowSeconds(),
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : 'invalid JWT';
      throw new JwtVerificationError(reason, { cause });
    }
  }

  /**
   * The public JWK Set (RFC 7517 §5) published at `/.well-known/jwks.json`: every active key (one per
   * algorithm; those of {@link configuredAlgs} are created first if missing), then retired keys still within
   * their verification window, newest first. Public members only, each with `kid`, `alg` and `use: "sig"`
   * (RFC 7517 §4.2-4.5).
   */
  async getPublicJwks(): Promise<{ keys: Record<string, unknown>[] }> {
    for (const alg of this.configuredAlgs()) await this.activeKey(alg);
    const state = await this.loadState();
    const now = nowSeconds();
    const slot = (k: LoadedKey) => (isSigningAlg(k.alg) ? ACTIVE_SLOT_BY_ALG[k.alg] : 0);
    const keys = [...state.byKid.values()]
      .filter((k) => isPublished(k, now))
      .sort(
        (a, b) =>
          Number(b.status === 'active') - Number(a.status === 'active') ||
          (a.status === 'active' ? slot(a) - slot(b) : 0) ||
          b.createdAt - a.createdAt,
      )
      .map((k) => ({ ...k.jwk }));
    return { keys };
  }

  /**
   * The algorithms this instance may sign with: `KEYS_ALG` (access tokens) and `TOKEN_ID_ALG` (ID tokens)
   * first, then every other supported one, since a client may register it as its
   * `id_token_signed_response_alg` (OIDC Registration §2). The JWK Set creates a key for each before it is
   * published, so a key is public before the first token it signs: with several instances, one that
   * created a key on demand would otherwise sign with it while another still serves a cached JWK Set
   * without it.
   */
  configuredAlgs(): SigningAlg[] {
    return [...new Set([this.config.keys.alg, this.config.token.idTokenAlg, ...SIGNING_ALGS])];
  }

  /**
   * Makes sure `alg` has an active key (creating it on first use, race-safe) and returns its kid. For
   * callers that advertise an algorithm, such as discovery's `id_token_signing_alg_values_supported`.
   */
  async ensureSigningKey(alg: SigningAlg): Promise<string> {
    return (await this.activeKey(alg)).kid;
  }

  /**
   * Creates a new key for each algorithm in `algs` (default: every algorithm in use — those configured here
   * and those with an active key in the database, which other instances may be signing with) and makes it
   * that algorithm's signing key, all in one transaction. Each previous key is retired but stays published
   * and verifiable for the longest token lifetime (max of `TOKEN_ACCESS_TTL`, `TOKEN_ID_TTL`) plus the cache
   * period and clock tolerance, because other instances may keep signing with it until their cache
   * expires. Retired keys past that window are deleted. Returns the new keys.
   */
  async rotate(options: { algs?: readonly SigningAlg[] } = {}): Promise<RotatedKey[]> {
    let algs: SigningAlg[];
    if (options.algs) {
      algs = [...new Set(options.algs)];
      for (const alg of algs) {
        if (!isSigningAlg(alg)) throw new Error(`unsupported signing algorithm ${String(alg)}`);
      }
    } else {
      const active = await this.keys
        .createQueryBuilder('k')
        .select('k.alg', 'alg')
        .where('k.active_slot IS NOT NULL')
        .getRawMany<{ alg: string }>();
      const inUse = new Set<string>([...this.configuredAlgs(), ...active.map((r) => r.alg)]);
      algs = SIGNING_ALGS.filter((alg) => inUse.has(alg));
    }
    if (algs.length === 0) return [];
    const created = await Promise.all(algs.map((alg) => this.generate(alg)));
    const now = nowSeconds();
    // A concurrent rotation can make our insert collide with its new active row (or deadlock on MySQL);
    // retrying re-reads the current active key and retires that one instead.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.transaction(async (em) => {
          const repo = em.getRepository(SigningKeyEntity);
          await repo
            .createQueryBuilder()
            .delete()
            .where('status = :retired AND not_after < :now', { retired: 'retired', now })
            .execute();
          for (const key of created) {
            // The algorithm's active key, and whatever else holds its slot (a key of another algorithm
            // written before keys were per algorithm, when every active key was in slot 1).
            await repo
              .createQueryBuilder()
              .update()
              .set(this.retirement(now))
              .where('(alg = :alg AND active_slot IS NOT NULL) OR active_slot = :slot', {
                alg: key.alg,
                slot: key.activeSlot,
              })
              .execute();
          }
          await repo.insert(created.map((key) => ({ ...key, createdAt: now })));
        });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
    for (const key of created) {
      this.logger.log(`Signing key rotated; new ${key.alg} kid ${key.kid}`);
    }
    await this.reload();
    return created.map((key) => ({ alg: key.alg as SigningAlg, kid: key.kid }));
  }

  /** Drops the in-memory cache and reads the keys again (after a rotation made elsewhere, or in tests). */
  async reload(): Promise<void> {
    this.state = null;
    await this.loadState();
  }

  /** The active key of `alg`, created first when the algorithm has none yet. */
  private async activeKey(alg: SigningAlg): Promise<LoadedKey> {
    if (!isSigningAlg(alg)) throw new Error(`unsupported signing algorithm ${String(alg)}`);
    let key = (await this.loadState()).active.get(alg);
    if (!key) {
      await this.createFirstKey(alg);
      this.state = null;
      key = (await this.loadState()).active.get(alg);
    }
    if (!key) throw new Error(`no active ${alg} signing key after creating one`);
    return key;
  }

  private async findPublishedKey(kid: string): Promise<LoadedKey | undefined> {
    let key = (await this.loadState()).byKid.get(kid);
    // A kid we do not know may come from a rotation another instance just made. Re-reading is cheap but
    // must not be an amplifier for junk tokens, hence at most one such reload per interval.
    if (!key && Date.now() - this.lastUnknownKidReload >= UNKNOWN_KID_RELOAD_INTERVAL_MS) {
      this.lastUnknownKidReload = Date.now();
      await this.reload();
      key = this.state?.byKid.get(kid);
    }
    return key && isPublished(key, nowSeconds()) ? key : undefined;
  }

  private async loadState(): Promise<KeyState> {
    if (this.state && Date.now() - this.state.loadedAt < KEYS_CACHE_TTL_MS) return this.state;
    // Concurrent callers share one read.
    this.loading ??= this.readState().finally(() => {
      this.loading = null;
    });
    this.state = await this.loading;
    return this.state;
  }

  private async readState(): Promise<KeyState> {
    const loadedAt = Date.now();
    const now = nowSeconds();
    const rows = await this.keys
      .createQueryBuilder('k')
      .where('k.active_slot IS NOT NULL OR k.not_after > :now', { now })
      .getMany();
    const byKid = new Map<string, LoadedKey>();
    const active = new Map<string, LoadedKey>();
    const inOwnSlot = new Set<string>();
    for (const row of rows) {
      const loaded = this.toLoadedKey(row);
      byKid.set(row.kid, loaded);
      if (row.activeSlot === null) continue;
      // One active row per algorithm is the rule. Should an older version have left a second one in another
      // slot, the key in the algorithm's own slot signs (then the newest); the other still verifies.
      const own = isSigningAlg(row.alg) && ACTIVE_SLOT_BY_ALG[row.alg] === Number(row.activeSlot);
      const current = active.get(row.alg);
      const currentOwn = current !== undefined && inOwnSlot.has(current.kid);
      if (
        !current ||
        (own && !currentOwn) ||
        (own === currentOwn && row.createdAt > current.createdAt)
      ) {
        active.set(row.alg, loaded);
        if (own) inOwnSlot.add(row.kid);
      }
    }
    // Private keys of keys that no longer sign are not kept in memory.
    const signing = new Set([...active.values()].map((k) => k.kid));
    for (const kid of this.privateKeys.keys()) {
      if (!signing.has(kid)) this.privateKeys.delete(kid);
    }
    return { loadedAt, active, byKid };
  }

  private toLoadedKey(row: SigningKeyEntity): LoadedKey {
    const jwk = publicMembers(row.publicJwk);
    const publicKey = importPublicJwk(jwk, row.alg);
    return {
      kid: row.kid,
      alg: row.alg,
      status: row.status,
      createdAt: row.createdAt,
      notAfter: row.notAfter,
      jwk: { ...jwk, kid: row.kid, alg: row.alg, use: 'sig' },
      publicKey,
    };
  }

  private privateKeyOf(key: LoadedKey): Promise<KeyObject> {
    let pending = this.privateKeys.get(key.kid);
    if (!pending) {
      pending = this.decryptPrivateKey(key.kid, key.alg);
      this.privateKeys.set(key.kid, pending);
      // A failure (wrong KEYS_ENCRYPTION_KEY) is not cached: fixing the setting and retrying works.
      void pending.catch(() => this.privateKeys.delete(key.kid));
    }
    return pending;
  }

  private async decryptPrivateKey(kid: string, alg: string): Promise<KeyObject> {
    const row = await this.keys
      .createQueryBuilder('k')
      .addSelect('k.privateKeyEnc')
      .where('k.kid = :kid', { kid })
      .getOne();
    if (!row) throw new Error(`signing key ${kid} disappeared while loading`);
    let json: string;
    try {
      json = decryptPrivateKey(row.privateKeyEnc, kid, this.encryptionKey);
    } catch (cause) {
      // Never log the ciphertext or key material; the kid and the likely cause are enough.
      this.logger.error(
        `Cannot decrypt private signing key ${kid}: ${undecryptableHint(row.privateKeyEnc, kid)}`,
      );
      throw new Error(`cannot decrypt signing key ${kid}`, { cause });
    }
    return importPrivateJwk(JSON.parse(json) as object, alg);
  }

  /**
   * Inserts a first active key of `alg` into the algorithm's slot unless one is there; losing the race to
   * another instance is fine. A slot held by a key of another algorithm (written before keys were per
   * algorithm, when every active key sat in slot 1) is handed over: that key is retired like at a rotation,
   * so it keeps verifying its tokens until they have expired.
   */
  private async createFirstKey(alg: SigningAlg): Promise<void> {
    const created = await this.generate(alg);
    const slot = ACTIVE_SLOT_BY_ALG[alg];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.keys.insert({ ...created, createdAt: nowSeconds() });
        this.logger.log(`Created the first ${alg} signing key ${created.kid}`);
        return;
      } catch (e) {
        // The unique active slot refused our row: another instance created the key first. Anything else
        // (database down) is a real failure.
        const holder = await this.keys.findOne({ where: { activeSlot: slot } });
        if (!holder) throw e;
        if (holder.alg === alg) return;
        if (attempt >= 3) throw e;
        const now = nowSeconds();
        await this.keys
          .createQueryBuilder()
          .update()
          .set(this.retirement(now))
          .where('kid = :kid AND active_slot = :slot', { kid: holder.kid, slot })
          .execute();
        this.logger.log(`Retired ${holder.alg} key ${holder.kid}: its slot belongs to ${alg} keys`);
      }
    }
  }

  /**
   * How long a retired key stays published and verifiable: the longest token lifetime (max of
   * `TOKEN_ACCESS_TTL`, `TOKEN_ID_TTL`) plus the cache period and clock tolerance.
   */
  /**
   * The columns of a key leaving its active slot: it stops signing but stays published and verifiable
   * until `not_after`, so that every token it signed can still be checked.
   */
  private retirement(now: number): Partial<SigningKeyEntity> {
    return {
      status: 'retired',
      activeSlot: null,
      retiredAt: now,
      notAfter: now + this.retentionSeconds(),
    };
  }

  private retentionSeconds(): number {
    return (
      Math.max(this.config.token.accessTtlSeconds, this.config.token.idTokenTtlSeconds) +
      Math.ceil(KEYS_CACHE_TTL_MS / 1000) +
      JWT_CLOCK_TOLERANCE_SECONDS
    );
  }

  private async generate(alg: SigningAlg): Promise<Omit<SigningKeyEntity, 'createdAt'>> {
    // RSA keys are 2048 bits (RFC 7518 §3.3 minimum), EC keys P-256 (§3.4).
    const { publicKey, privateKey } = await generateKeyPair(alg, {
      extractable: true,
      modulusLength: 2048,
    });
    const pub = publicMembers(await exportJWK(publicKey));
    const kid = await calculateJwkThumbprint(pub, 'sha256');
    const priv = await exportJWK(privateKey);
    return {
      kid,
      alg,
      publicJwk: pub,
      privateKeyEnc: encryptPrivateKey(JSON.stringify(priv), kid, this.encryptionKey),
      status: 'active',
      activeSlot: ACTIVE_SLOT_BY_ALG[alg],
      retiredAt: null,
      notAfter: null,
    };
  }
}

/**
 * Why a stored private key does not decrypt under the configured key, and what to run: rows written with
 * the built-in development key (the default before issue 7 item 3) are recognised as such.
 */
export function undecryptableHint(sealed: string, kid: string): string {
  try {
    decryptPrivateKey(sealed, kid, developmentEncryptionKey());
    return (
      'it is encrypted with the built-in development key, which anyone can derive; run ' +
      'npm run keys:reencrypt -- --from-key dev with the server settings, then npm run keys:rotate'
    );
  } catch {
    return (
      'the key-encryption key differs from the one it was stored with; run ' +
      'npm run keys:reencrypt -- --from-key env:<VAR> (or file:<path>) with the previous key'
    );
  }
}

function isPublished(key: LoadedKey, now: number): boolean {
  return key.status === 'active' || (key.notAfter !== null && key.notAfter > now);
}

/** Keeps only the public members of a JWK for its key type (RFC 7518 §6.2.1, §6.3.1). */
function publicMembers(jwk: object): Record<string, string> {
  const source = jwk as Record<string, unknown>;
  const kty = source.kty;
  if (typeof kty !== 'string' || !(kty in PUBLIC_JWK_MEMBERS)) {
    throw new Error(`unsupported signing key type ${String(kty)}`);
  }
  const out: Record<string, string> = {};
  for (const member of PUBLIC_JWK_MEMBERS[kty]) {
    const value = source[member];
    if (typeof value === 'string') out[member] = value;
  }
  return out;
}
