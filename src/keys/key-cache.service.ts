import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { Clock } from '../common/time/clock.js';
import type { SigningKeyEntity } from './entities/signing-key.entity.js';
import { importPublicJwk, type SigningAlg } from './jwt.js';
import {
  isPublished,
  newestFirst,
  publicationOrder,
  signingKeyOf,
  type ScheduledKey,
} from './key-schedule.js';
import { isSigningAlg, KeyStoreService, publicMembers } from './key-store.service.js';
import { KEYS_CACHE_TTL_MS, UNKNOWN_KID_RELOAD_INTERVAL_MS } from './keys.constants.js';

/** A published key as this instance holds it: its times, its public JWK and the imported public key. */
export interface CachedKey extends ScheduledKey {
  /** Public members plus kid, alg, use (what the JWK Set publishes). */
  jwk: Record<string, unknown>;
  publicKey: KeyObject;
}

interface KeyState {
  /** Order in which the read started: a later read's copy never gives way to an earlier one's. */
  seq: number;
  /** Clock time of the read, milliseconds. */
  loadedAt: number;
  /** The store's write count at the read: a write by this instance invalidates the copy at once. */
  writeCount: number;
  keys: CachedKey[];
  byKid: Map<string, CachedKey>;
  /** Keys of each algorithm, newest first (the order {@link signingKeyOf} scans). */
  byAlg: Map<string, CachedKey[]>;
}

/**
 * This instance's copy of the published signing keys, re-read from the database every
 * {@link KEYS_CACHE_TTL_MS} (and at once after this instance's own writes). The copy holds the keys' times,
 * so the signing key is chosen at each call by the clock ({@link signingKeyOf}): a staged key starts
 * signing at its `activates_at` on every instance at once, although each instance re-reads at its own
 * moment. A token naming an unknown kid triggers an early, rate-limited re-read. Decrypted private keys are
 * kept only for keys that sign now or will.
 */
@Injectable()
export class KeyCacheService {
  private state: KeyState | null = null;
  private loading: { seq: number; promise: Promise<KeyState> } | null = null;
  /** Reads started so far (the last read's `seq`). */
  private readSeq = 0;
  private lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  private readonly privateKeys = new Map<string, Promise<KeyObject>>();

  constructor(
    private readonly store: KeyStoreService,
    private readonly clock: Clock,
  ) {}

  /** The key that signs `alg` tokens now; the algorithm's first key is created if it has none. */
  async signingKey(alg: SigningAlg): Promise<CachedKey> {
    if (!isSigningAlg(alg)) throw new Error(`unsupported signing algorithm ${String(alg)}`);
    let key = this.select(await this.current(), alg);
    if (!key) {
      await this.store.createFirstKey(alg);
      // Re-read also when another instance won the race (then this instance wrote nothing), and with a
      // read started after the key exists: a read another caller started before the insert would miss it.
      key = this.select(await this.current(this.readSeq), alg);
    }
    if (!key) throw new Error(`no ${alg} signing key after creating one`);
    return key;
  }

  /**
   * Makes sure `alg` has a signing key (creating it on first use, race-safe) and returns its kid. For
   * callers that advertise an algorithm, such as discovery's `id_token_signing_alg_values_supported`.
   */
  async ensureSigningKey(alg: SigningAlg): Promise<string> {
    return (await this.signingKey(alg)).kid;
  }

  /** The published key `kid` (signing, staged, or retired within its window), if there is one. */
  async verificationKey(kid: string): Promise<CachedKey | undefined> {
    let key = (await this.current()).byKid.get(kid);
    // A kid we do not know may come from a key another instance just created. Re-reading is cheap but
    // must not be an amplifier for junk tokens, hence at most one such reload per interval.
    const now = this.clock.now();
    if (!key && now - this.lastUnknownKidReload >= UNKNOWN_KID_RELOAD_INTERVAL_MS) {
      this.lastUnknownKidReload = now;
      await this.reload();
      key = this.state?.byKid.get(kid);
    }
    return key && isPublished(key, this.clock.nowSeconds()) ? key : undefined;
  }

  /**
   * The public JWK Set (RFC 7517 §5) published at `/.well-known/jwks.json`: every published key (the
   * signing key of each algorithm, those of {@link KeyStoreService.configuredAlgs} created first if
   * missing; then staged keys; then retired keys within their window, newest first). Public members only,
   * each with `kid`, `alg` and `use: "sig"` (RFC 7517 §4.2-4.5).
   */
  async getPublicJwks(): Promise<{ keys: Record<string, unknown>[] }> {
    for (const alg of this.store.configuredAlgs()) await this.signingKey(alg);
    const state = await this.current();
    const keys = publicationOrder(state.keys, this.clock.nowSeconds()).map((k) => ({ ...k.jwk }));
    return { keys };
  }

  /** The decrypted private key of `key`, decrypted once and kept while the key signs or will. */
  privateKey(key: CachedKey): Promise<KeyObject> {
    let pending = this.privateKeys.get(key.kid);
    if (!pending) {
      pending = this.store.loadPrivateKey(key.kid, key.alg);
      this.privateKeys.set(key.kid, pending);
      // A failure (wrong KEYS_ENCRYPTION_KEY) is not cached: fixing the setting and retrying works.
      void pending.catch(() => this.privateKeys.delete(key.kid));
    }
    return pending;
  }

  /** Drops the copy and reads the keys again (after a rotation made elsewhere, or in tests). */
  async reload(): Promise<void> {
    await this.current(this.readSeq);
  }

  private select(state: KeyState, alg: SigningAlg): CachedKey | undefined {
    return signingKeyOf(state.byAlg.get(alg) ?? [], alg, this.clock.nowSeconds(), true);
  }

  /**
   * The copy, re-read when stale. With `startedAfter`, the copy comes from a read started after read
   * number `startedAfter` (one that sees every write this instance made before the call).
   */
  private async current(startedAfter?: number): Promise<KeyState> {
    const s = this.state;
    if (
      startedAfter === undefined &&
      s &&
      s.writeCount === this.store.writeCount &&
      this.clock.now() - s.loadedAt < KEYS_CACHE_TTL_MS
    ) {
      return s;
    }
    for (;;) {
      const pending = this.loading;
      // Concurrent callers share one read, unless it started too early for this caller.
      if (pending && (startedAfter === undefined || pending.seq > startedAfter)) {
        return pending.promise;
      }
      if (pending) {
        await pending.promise.catch(() => undefined);
        continue;
      }
      const seq = ++this.readSeq;
      const promise = this.read(seq)
        .then((state) => {
          if (!this.state || this.state.seq < seq) this.state = state;
          return state;
        })
        .finally(() => {
          if (this.loading?.seq === seq) this.loading = null;
        });
      this.loading = { seq, promise };
      return promise;
    }
  }

  private async read(seq: number): Promise<KeyState> {
    const loadedAt = this.clock.now();
    const writeCount = this.store.writeCount;
    const now = this.clock.nowSeconds();
    const rows = await this.store.findPublished(now);
    await this.store.recordPhases(rows, now);
    const keys = rows.map(toCachedKey).sort(newestFirst);
    const byKid = new Map(keys.map((k) => [k.kid, k]));
    const byAlg = new Map<string, CachedKey[]>();
    for (const key of keys) byAlg.set(key.alg, [...(byAlg.get(key.alg) ?? []), key]);
    // Private keys of keys that will not sign again are not kept in memory.
    const signing = new Set(
      keys
        .filter((k) => k.activatesAt > now || signingKeyOf(keys, k.alg, now, true) === k)
        .map((k) => k.kid),
    );
    for (const kid of this.privateKeys.keys()) {
      if (!signing.has(kid)) this.privateKeys.delete(kid);
    }
    return { seq, loadedAt, writeCount, keys, byKid, byAlg };
  }
}

function toCachedKey(row: SigningKeyEntity): CachedKey {
  const jwk = publicMembers(row.publicJwk);
  return {
    kid: row.kid,
    alg: row.alg,
    createdAt: row.createdAt,
    activatesAt: row.activatesAt,
    retiredAt: row.retiredAt,
    notAfter: row.notAfter,
    jwk: { ...jwk, kid: row.kid, alg: row.alg, use: 'sig' },
    publicKey: importPublicJwk(jwk, row.alg),
  };
}
