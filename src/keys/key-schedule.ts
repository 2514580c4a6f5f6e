import type { SigningKeyStatus } from './entities/signing-key.entity.js';
import { ACTIVE_SLOT_BY_ALG } from './keys.constants.js';

/**
 * The rules that turn the times stored with each signing key into what an instance does at a given moment.
 * Pure functions of the rows and `now`, so every instance that has read the same rows reaches the same
 * verdict at the same time, with no timer and no coordination (docs/keys.md "Rotation").
 */

/** The times of a key that the schedule reads (all epoch seconds). */
export interface ScheduledKey {
  kid: string;
  alg: string;
  createdAt: number;
  activatesAt: number;
  retiredAt: number | null;
  notAfter: number | null;
}

/** Published keys are in the JWK Set and verify tokens: every key until its `notAfter`. */
export function isPublished(key: ScheduledKey, now: number): boolean {
  return key.notAfter === null || key.notAfter > now;
}

/** Newer first: by activation time, then creation time, then kid (a total order, the same everywhere). */
export function newestFirst(a: ScheduledKey, b: ScheduledKey): number {
  return (
    b.activatesAt - a.activatesAt ||
    b.createdAt - a.createdAt ||
    (a.kid < b.kid ? 1 : a.kid > b.kid ? -1 : 0)
  );
}

/**
 * The key that signs `alg` tokens at `now`: the newest published key of that algorithm whose
 * `activatesAt` has passed. `keys` of one algorithm sorted {@link newestFirst} may be passed with
 * `sorted = true` to skip the sort (the hot path of token signing).
 */
export function signingKeyOf<K extends ScheduledKey>(
  keys: readonly K[],
  alg: string,
  now: number,
  sorted = false,
): K | undefined {
  const candidates = sorted ? keys : [...keys].sort(newestFirst);
  return candidates.find((k) => k.alg === alg && k.activatesAt <= now && isPublished(k, now));
}

/** The phase of `key` at `now` among `keys` (the rows of every algorithm). */
export function phaseOf(
  key: ScheduledKey,
  keys: readonly ScheduledKey[],
  now: number,
): SigningKeyStatus {
  if (!isPublished(key, now)) return 'retired';
  if (key.activatesAt > now) return 'next';
  return signingKeyOf(keys, key.alg, now)?.kid === key.kid ? 'active' : 'retired';
}

function slotOf(alg: string): number {
  return Object.prototype.hasOwnProperty.call(ACTIVE_SLOT_BY_ALG, alg)
    ? ACTIVE_SLOT_BY_ALG[alg as keyof typeof ACTIVE_SLOT_BY_ALG]
    : Number.MAX_SAFE_INTEGER;
}

/**
 * The order of the JWK Set (RFC 7517 §5 leaves it open; ours is stable and useful to a reader): the
 * signing key of each algorithm (ES256 first), then staged keys, then retired ones, newest first. Only
 * published keys.
 */
export function publicationOrder<K extends ScheduledKey>(keys: readonly K[], now: number): K[] {
  const rank: Record<SigningKeyStatus, number> = { active: 0, next: 1, retired: 2 };
  return keys
    .filter((k) => isPublished(k, now))
    .map((k) => ({ k, phase: phaseOf(k, keys, now) }))
    .sort(
      (a, b) =>
        rank[a.phase] - rank[b.phase] ||
        (a.phase === 'retired' ? 0 : slotOf(a.k.alg) - slotOf(b.k.alg)) ||
        newestFirst(a.k, b.k),
    )
    .map(({ k }) => k);
}
