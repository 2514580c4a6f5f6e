import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { hkdfSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/time/clock.js';
import type { ResolvedEncryptionKey } from './encryption-key.js';
import type { KeysSettings } from './keys.options.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { importPrivateJwk, type SigningAlg } from './jwt.js';
import {
  decryptPrivateKey,
  developmentEncryptionKey,
  encryptPrivateKey,
} from './key-encryption.js';
import { newestFirst, phaseOf, signingKeyOf } from './key-schedule.js';
import {
  ACTIVE_SLOT_BY_ALG,
  JWT_CLOCK_TOLERANCE_SECONDS,
  KEY_ENCRYPTION_KEY,
  KEYS_CACHE_TTL_MS,
  KEYS_SETTINGS,
  LONGEST_JWKS_CACHE_SECONDS,
  PUBLIC_JWK_MEMBERS,
} from './keys.constants.js';

/** The algorithms this server signs with, in the order keys are listed (ES256 first, as its slot is 1). */
export const SIGNING_ALGS = Object.keys(ACTIVE_SLOT_BY_ALG) as SigningAlg[];

/** True for the algorithms of {@link SIGNING_ALGS}. */
export function isSigningAlg(alg: string): alg is SigningAlg {
  return Object.prototype.hasOwnProperty.call(ACTIVE_SLOT_BY_ALG, alg);
}

/** A key staged (or activated, with `immediately`) by {@link KeyStoreService.rotate}. */
export interface RotatedKey {
  alg: SigningAlg;
  kid: string;
  /** Epoch seconds from which it signs. */
  activatesAt: number;
  /**
   * True when a rotation of this algorithm was already under way: `kid` is the key staged then, and no key
   * was made now (running `keys:rotate` twice does not push activation further out).
   */
  alreadyStaged: boolean;
}

/** How long the key that signs an algorithm's tokens has been doing so (for a key-age metric). */
export interface ActiveKeyAge {
  alg: SigningAlg;
  kid: string;
  /** Epoch seconds at which it started signing. */
  activatedAt: number;
  ageSeconds: number;
}

/** A row to insert: everything but the times, which the caller sets. */
type NewKey = Pick<SigningKeyEntity, 'kid' | 'alg' | 'publicJwk' | 'privateKeyEnc'>;

/** Another instance changed the keys between our read and our write; the rotation retries. */
class RotationConflict extends Error {}

/**
 * Storage and rotation of the server's signing keys (RFC 7515, RFC 7517): the `signing_keys` table, private
 * halves encrypted at rest, the creation of each algorithm's first key and the staging of the next one.
 *
 * Writes are race-safe across instances: each algorithm's newest key holds the algorithm's fixed slot
 * ({@link ACTIVE_SLOT_BY_ALG}) under a unique index, and a rotation retires the signing key only if nobody
 * retired it first. Which key signs is decided by the times written here (see `key-schedule.ts`), never by
 * a timer.
 */
@Injectable()
export class KeyStoreService {
  private readonly logger = new Logger(KeyStoreService.name);
  private readonly encryptionKey: Buffer;
  private writes = 0;

  constructor(
    @Inject(KEYS_SETTINGS) private readonly settings: KeysSettings,
    @InjectRepository(SigningKeyEntity) private readonly keys: Repository<SigningKeyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(KEY_ENCRYPTION_KEY) resolved: ResolvedEncryptionKey,
  ) {
    this.encryptionKey = resolved.key;
    if (settings.publishAheadSeconds < LONGEST_JWKS_CACHE_SECONDS) {
      // The environment schema refuses this too; options built in code must not slip past it.
      throw new Error(
        `KeysModule option publishAheadSeconds (KEYS_PUBLISH_AHEAD) must be at least ${LONGEST_JWKS_CACHE_SECONDS} seconds (key cache plus JWK Set max-age)`,
      );
    }
  }

  /**
   * A 32-byte secret for `purpose` (e.g. `dpop-nonce`), derived from the key-encryption key with HKDF-SHA256
   * (RFC 5869): the same on every instance that shares the database (they share that key), unrelated to
   * the key itself and to the secret of any other purpose, and never stored. It changes when the
   * key-encryption key does (`keys:reencrypt`), so it only suits values that may be refused after that.
   */
  deriveSecret(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.encryptionKey, '', `authms/${purpose}/v1`, 32));
  }

  /** Counts the writes this instance made, so that its key cache re-reads at once after its own changes. */
  get writeCount(): number {
    return this.writes;
  }

  /**
   * The algorithms this instance may sign with: `KEYS_ALG` (access tokens) and `TOKEN_ID_ALG` (ID tokens)
   * first, then every other supported one, since a client may register it as its
   * `id_token_signed_response_alg` (OIDC Registration §2). The JWK Set creates a key for each before it is
   * published, so a key is public before the first token it signs.
   */
  configuredAlgs(): SigningAlg[] {
    return [...new Set([this.settings.alg, this.settings.idTokenAlg, ...SIGNING_ALGS])];
  }

  /** `KEYS_PUBLISH_AHEAD`: seconds between staging a key and its first signature. */
  get publishAheadSeconds(): number {
    return this.settings.publishAheadSeconds;
  }

  /**
   * How long a key stays published after it stops signing: the longest token lifetime (max of
   * `TOKEN_ACCESS_TTL`, `TOKEN_ID_TTL`) plus the key cache period and the clock tolerance, so that every
   * token it signed can be checked until it expires, also on an instance whose clock runs behind.
   */
  get retentionSeconds(): number {
    return (
      this.settings.longestTokenTtlSeconds +
      Math.ceil(KEYS_CACHE_TTL_MS / 1000) +
      JWT_CLOCK_TOLERANCE_SECONDS
    );
  }

  /** Every key still published at `now` (past or future signers included); public halves only. */
  async findPublished(now: number): Promise<SigningKeyEntity[]> {
    return this.keys
      .createQueryBuilder('k')
      .where('k.not_after IS NULL OR k.not_after > :now', { now })
      .getMany();
  }

  /**
   * Brings the `status` column in step with the phase the times give (`next` → `active` → `retired`), for
   * people and tools reading the table. Conditional on the old value, so instances noticing the same change
   * at once write it once; a failure is only logged, as nothing depends on the column.
   */
  async recordPhases(rows: readonly SigningKeyEntity[], now: number): Promise<void> {
    for (const row of rows) {
      const phase = phaseOf(row, rows, now);
      if (phase === row.status) continue;
      try {
        await this.keys
          .createQueryBuilder()
          .update()
          .set({ status: phase })
          .where('kid = :kid AND status = :old', { kid: row.kid, old: row.status })
          .execute();
        row.status = phase;
      } catch (e) {
        this.logger.warn(`Could not record signing key ${row.kid} as ${phase}: ${String(e)}`);
      }
    }
  }

  /** Decrypts the private key of `kid` for `alg`; throws (naming the kid only) when it cannot. */
  async loadPrivateKey(kid: string, alg: string): Promise<KeyObject> {
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
   * Inserts a first key of `alg`, signing at once, into the algorithm's slot unless one is there; losing the
   * race to another instance is fine. A slot held by a key of another algorithm (written before keys were per
   * algorithm, when every key sat in slot 1) is handed over: that key only leaves the slot and keeps signing
   * its own algorithm until that is rotated.
   */
  async createFirstKey(alg: SigningAlg): Promise<void> {
    const created = await this.generate(alg);
    const slot = ACTIVE_SLOT_BY_ALG[alg];
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.nowSeconds();
      try {
        await this.keys.insert(this.row(created, slot, now, now));
        this.writes++;
        this.logger.log(`Created the first ${alg} signing key ${created.kid}`);
        return;
      } catch (e) {
        // The unique slot refused our row: another instance created the key first. Anything else
        // (database down) is a real failure.
        const holder = await this.keys.findOne({ where: { activeSlot: slot } });
        if (!holder) throw e;
        if (holder.alg === alg) return;
        if (attempt >= 3) throw e;
        await this.keys
          .createQueryBuilder()
          .update()
          .set({ activeSlot: null })
          .where('kid = :kid AND active_slot = :slot', { kid: holder.kid, slot })
          .execute();
        this.writes++;
        this.logger.log(
          `${holder.alg} key ${holder.kid} left slot ${slot}: it belongs to ${alg} keys`,
        );
      }
    }
  }

  /**
   * Rotates the keys of `algs` (default: every algorithm in use — those configured here and those with a
   * published key in the database, which other instances may be signing with), all in one transaction.
   *
   * - Default, staged: each algorithm gets a new key in phase `next`, signing from now +
   *   `KEYS_PUBLISH_AHEAD`. It is published at once, so every JWK Set copy lists it before its first
   *   token; the current key signs until then and stays published for {@link retentionSeconds} more. If a
   *   key is already staged, it is returned (`alreadyStaged`) and nothing is created. An algorithm without
   *   any key gets one that signs at once.
   * - `immediately` (a compromised key): the new key signs at once and every other key of the algorithm is
   *   withdrawn: it leaves the JWK Set and its tokens stop verifying. Verifiers holding a cached JWK Set
   *   reject the new tokens until they fetch it again.
   *
   * Keys past their `not_after` are deleted. Returns one entry per algorithm.
   */
  async rotate(
    options: { algs?: readonly SigningAlg[]; immediately?: boolean } = {},
  ): Promise<RotatedKey[]> {
    let algs: SigningAlg[];
    if (options.algs) {
      algs = [...new Set(options.algs)];
      for (const alg of algs) {
        if (!isSigningAlg(alg)) throw new Error(`unsupported signing algorithm ${String(alg)}`);
      }
    } else {
      algs = await this.algsInUse();
    }
    if (algs.length === 0) return [];
    const generated = new Map<SigningAlg, NewKey>();
    for (const alg of algs) generated.set(alg, await this.generate(alg));
    const immediately = options.immediately ?? false;
    // A concurrent rotation (another instance, a second CLI run) makes our conditional write miss, our
    // insert collide on the slot, or MySQL report a deadlock; a retry re-reads and usually finds the key
    // that rotation staged.
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.nowSeconds();
      try {
        const rotated = await this.dataSource.transaction((em) =>
          this.rotateIn(em, algs, generated, now, immediately),
        );
        this.writes++;
        for (const key of rotated) {
          if (key.alreadyStaged) {
            this.logger.log(`${key.alg} key ${key.kid} is already staged; no new key`);
          } else if (key.activatesAt > now) {
            this.logger.log(
              `Staged ${key.alg} key ${key.kid}; it signs from ${new Date(key.activatesAt * 1000).toISOString()}`,
            );
          } else {
            this.logger.log(`New ${key.alg} key ${key.kid} signs from now`);
          }
        }
        return rotated;
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  }

  /**
   * The age of each algorithm's signing key, read from the database (for a key-age metric: rotate when it
   * grows past the schedule in docs/keys.md).
   */
  async activeKeyAges(): Promise<ActiveKeyAge[]> {
    const now = this.clock.nowSeconds();
    const rows = await this.findPublished(now);
    const ages: ActiveKeyAge[] = [];
    for (const alg of SIGNING_ALGS) {
      const key = signingKeyOf(rows, alg, now);
      if (key) {
        ages.push({
          alg,
          kid: key.kid,
          activatedAt: key.activatesAt,
          ageSeconds: now - key.activatesAt,
        });
      }
    }
    return ages;
  }

  private async algsInUse(): Promise<SigningAlg[]> {
    const rows = await this.keys
      .createQueryBuilder('k')
      .select('k.alg', 'alg')
      .distinct(true)
      .where('k.not_after IS NULL OR k.not_after > :now', { now: this.clock.nowSeconds() })
      .getRawMany<{ alg: string }>();
    const inUse = new Set<string>([...this.configuredAlgs(), ...rows.map((r) => r.alg)]);
    return SIGNING_ALGS.filter((alg) => inUse.has(alg));
  }

  private async rotateIn(
    em: EntityManager,
    algs: readonly SigningAlg[],
    generated: ReadonlyMap<SigningAlg, NewKey>,
    now: number,
    immediately: boolean,
  ): Promise<RotatedKey[]> {
    const repo = em.getRepository(SigningKeyEntity);
    await repo
      .createQueryBuilder()
      .delete()
      .where('not_after IS NOT NULL AND not_after < :now', { now })
      .execute();
    const rotated: RotatedKey[] = [];
    for (const alg of algs) {
      const key = generated.get(alg)!;
      const slot = ACTIVE_SLOT_BY_ALG[alg];
      const rows = (
        await repo
          .createQueryBuilder('k')
          .where('k.alg = :alg AND (k.not_after IS NULL OR k.not_after > :now)', { alg, now })
          .getMany()
      ).sort(newestFirst);
      if (immediately) {
        await this.withdraw(em, alg, now);
      } else {
        const staged = rows.find((k) => k.activatesAt > now);
        if (staged) {
          rotated.push({
            alg,
            kid: staged.kid,
            activatesAt: staged.activatesAt,
            alreadyStaged: true,
          });
          continue;
        }
        const current = signingKeyOf(rows, alg, now, true);
        if (current) {
          const activatesAt = now + this.publishAheadSeconds;
          // The previous key signs until its successor activates, then verifies for the lifetime of the
          // last token it signed (plus margins). Conditional on the value we read: a concurrent rotation
          // that got there first makes this miss, and we retry rather than stage a second key.
          const res = await repo
            .createQueryBuilder()
            .update()
            .set({
              retiredAt: activatesAt,
              notAfter: activatesAt + this.retentionSeconds,
              activeSlot: null,
            })
            .where(
              current.retiredAt === null
                ? 'kid = :kid AND retired_at IS NULL'
                : 'kid = :kid AND retired_at = :retiredAt',
              { kid: current.kid, retiredAt: current.retiredAt },
            )
            .execute();
          if (res.affected !== 1) throw new RotationConflict(`${alg} key ${current.kid} changed`);
          await this.releaseSlot(em, slot);
          await repo.insert(this.row(key, slot, now, activatesAt));
          rotated.push({ alg, kid: key.kid, activatesAt, alreadyStaged: false });
          continue;
        }
        // Nothing signs this algorithm yet: there is no one to hand over from.
      }
      await this.releaseSlot(em, slot);
      await repo.insert(this.row(key, slot, now, now));
      rotated.push({ alg, kid: key.kid, activatesAt: now, alreadyStaged: false });
    }
    return rotated;
  }

  /** Emergency: every published key of `alg` stops signing and leaves the JWK Set now. */
  private async withdraw(em: EntityManager, alg: SigningAlg, now: number): Promise<void> {
    const published = 'alg = :alg AND (not_after IS NULL OR not_after > :now)';
    await em
      .createQueryBuilder()
      .update(SigningKeyEntity)
      .set({ retiredAt: now })
      .where(`${published} AND (retired_at IS NULL OR retired_at > :now)`, { alg, now })
      .execute();
    await em
      .createQueryBuilder()
      .update(SigningKeyEntity)
      .set({ status: 'retired', notAfter: now, activeSlot: null })
      .where(published, { alg, now })
      .execute();
  }

  /** Frees `slot` for a new newest key (whatever holds it keeps its times and keeps signing by them). */
  private async releaseSlot(em: EntityManager, slot: number): Promise<void> {
    await em
      .createQueryBuilder()
      .update(SigningKeyEntity)
      .set({ activeSlot: null })
      .where('active_slot = :slot', { slot })
      .execute();
  }

  private row(key: NewKey, slot: number, now: number, activatesAt: number): SigningKeyEntity {
    return {
      ...key,
      status: activatesAt > now ? 'next' : 'active',
      activeSlot: slot,
      createdAt: now,
      activatesAt,
      retiredAt: null,
      notAfter: null,
    };
  }

  private async generate(alg: SigningAlg): Promise<NewKey> {
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

/** Keeps only the public members of a JWK for its key type (RFC 7518 §6.2.1, §6.3.1). */
export function publicMembers(jwk: object): Record<string, string> {
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
