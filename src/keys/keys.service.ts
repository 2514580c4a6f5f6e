import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { DataSource, Repository } from 'typeorm';
import { nowSeconds } from '../common/crypto/tokens.js';
import { AppConfig } from '../config/app-config.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
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
  JWT_CLOCK_TOLERANCE_SECONDS,
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
  /** The signing key; null when the table has no active key yet. */
  active: LoadedKey | null;
  byKid: Map<string, LoadedKey>;
}

/** Ensures the loud development-key warning is printed once per process, not once per app or call. */
let warnedAboutDevelopmentKey = false;

/**
 * The server's signing keys (RFC 7515 JWS, RFC 7517 JWK) and the JWTs made with them.
 *
 * Keys live in the `signing_keys` table so every stateless instance signs with the same key and publishes
 * the same JWK Set. Each instance caches them for {@link KEYS_CACHE_TTL_MS} and re-reads afterwards, so a
 * rotation made elsewhere (another instance, `npm run keys:rotate`) is picked up; a token carrying an
 * unknown `kid` triggers an early, rate-limited reload. The first key is created on first use inside a
 * race-safe step: a unique index admits one active key only, and a loser re-reads the winner's.
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
  ) {
    if (config.keys.encryptionKey) {
      this.encryptionKey = config.keys.encryptionKey;
    } else {
      this.encryptionKey = developmentEncryptionKey();
      if (!warnedAboutDevelopmentKey) {
        warnedAboutDevelopmentKey = true;
        this.logger.warn(
          'KEYS_ENCRYPTION_KEY is not set: private signing keys are encrypted with a built-in ' +
            'DEVELOPMENT key that anyone can derive. Set KEYS_ENCRYPTION_KEY (openssl rand -base64 32) ' +
            'in production.',
        );
      }
    }
  }

  /**
   * Signs a JWT (RFC 7519 §7.1) with the current active key; sets the JOSE header `alg`, `kid` and `typ`
   * (default `JWT`; e.g. `at+jwt` for RFC 9068 access tokens). The payload is signed as given: callers set
   * `iss`, `aud`, `exp`, `iat`.
   */
  async signJwt(payload: Record<string, unknown>, options: { typ?: string } = {}): Promise<string> {
    const { active } = await this.activeState();
    const privateKey = await this.privateKeyOf(active);
    return signCompactJwt(
      { alg: active.alg as SigningAlg, kid: active.kid, typ: options.typ ?? 'JWT' },
      payload,
      privateKey,
    );
  }

  /**
   * Verifies a JWT signed by one of our published keys (the current one, or a retired one before its
   * `not_after`): the signature with the key's own `alg` only (RFC 8725 §3.1), `iss` equal to the issuer,
   * a required `exp` and, when present, `nbf` (RFC 7519 §4.1.4-5) with a small clock tolerance, and the
   * header `typ` when `options.typ` is given (RFC 8725 §3.11), `aud` when `options.audience` is given.
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
   * The public JWK Set (RFC 7517 §5) published at `/.well-known/jwks.json`: the active key first, then
   * retired keys still within their verification window. Public members only, each with `kid`, `alg` and
   * `use: "sig"` (RFC 7517 §4.2-4.5).
   */
  async getPublicJwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const state = await this.activeState();
    const now = nowSeconds();
    const keys = [...state.byKid.values()]
      .filter((k) => isPublished(k, now))
      .sort(
        (a, b) =>
          Number(b.status === 'active') - Number(a.status === 'active') ||
          b.createdAt - a.createdAt,
      )
      .map((k) => ({ ...k.jwk }));
    return { keys };
  }

  /** Algorithm of the current signing key (`ES256` | `RS256`), e.g. for `id_token_signing_alg_values_supported`. */
  async currentAlg(): Promise<string> {
    return (await this.activeState()).active.alg;
  }

  /**
   * Creates a new key (algorithm `KEYS_ALG`) and makes it the signing key, in one transaction. The previous
   * key is retired but stays published and verifiable for the longest token lifetime (max of
   * `TOKEN_ACCESS_TTL`, `TOKEN_ID_TTL`) plus the cache period and clock tolerance, because other instances
   * may keep signing with it until their cache expires. Retired keys past that window are deleted.
   * Returns the new kid.
   */
  async rotate(): Promise<string> {
    const created = await this.generate();
    const now = nowSeconds();
    const retention =
      Math.max(this.config.token.accessTtlSeconds, this.config.token.idTokenTtlSeconds) +
      Math.ceil(KEYS_CACHE_TTL_MS / 1000) +
      JWT_CLOCK_TOLERANCE_SECONDS;
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
          await repo
            .createQueryBuilder()
            .update()
            .set({ status: 'retired', activeSlot: null, retiredAt: now, notAfter: now + retention })
            .where('active_slot = 1')
            .execute();
          await repo.insert({ ...created, createdAt: now });
        });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
    this.logger.log(`Signing key rotated; new kid ${created.kid}`);
    await this.reload();
    return created.kid;
  }

  /** Drops the in-memory cache and reads the keys again (after a rotation made elsewhere, or in tests). */
  async reload(): Promise<void> {
    this.state = null;
    await this.loadState();
  }

  private async activeState(): Promise<KeyState & { active: NonNullable<KeyState['active']> }> {
    let state = await this.loadState();
    if (!state.active) {
      await this.createFirstKey();
      this.state = null;
      state = await this.loadState();
    }
    if (!state.active) throw new Error('no active signing key after creating one');
    return state as KeyState & { active: NonNullable<KeyState['active']> };
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
      .where('k.active_slot = 1 OR k.not_after > :now', { now })
      .getMany();
    const byKid = new Map<string, LoadedKey>();
    let active: KeyState['active'] = null;
    for (const row of rows) {
      const loaded = this.toLoadedKey(row);
      byKid.set(row.kid, loaded);
      if (row.activeSlot === 1) active = loaded;
    }
    // Private keys of keys that no longer sign are not kept in memory.
    for (const kid of this.privateKeys.keys()) {
      if (kid !== active?.kid) this.privateKeys.delete(kid);
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
        `Cannot decrypt private signing key ${kid}: KEYS_ENCRYPTION_KEY differs from the one it was stored with`,
      );
      throw new Error(`cannot decrypt signing key ${kid}`, { cause });
    }
    return importPrivateJwk(JSON.parse(json) as object, alg);
  }

  /** Inserts a first active key unless one exists; losing the race to another instance is fine. */
  private async createFirstKey(): Promise<void> {
    const created = await this.generate();
    try {
      await this.keys.insert({ ...created, createdAt: nowSeconds() });
      this.logger.log(`Created the first signing key ${created.kid} (${created.alg})`);
    } catch (e) {
      // The unique active slot refused our row: another instance created the key first. Anything else
      // (database down) is a real failure.
      const winner = await this.keys.findOne({ where: { activeSlot: 1 } });
      if (!winner) throw e;
    }
  }

  private async generate(): Promise<Omit<SigningKeyEntity, 'createdAt'>> {
    const alg: SigningAlg = this.config.keys.alg;
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
      activeSlot: 1,
      retiredAt: null,
      notAfter: null,
    };
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
