import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientSecretStatus } from './entities/client-secret.entity.js';

/** A stored secret as the check sees it: its hash and what decides whether it still authenticates. */
export interface SecretCandidate {
  id: string;
  secretHash: string;
  status: ClientSecretStatus;
  /** Epoch seconds, 0 = never. */
  expiresAt: number;
  lastUsedAt: number | null;
}

/** Result of checking a presented client secret. */
export type SecretCheck = 'valid' | 'invalid' | 'expired';

/** The hash compared against when a client has no secret, so that the work done is the same. */
const DUMMY = createHash('sha256').update('no secret', 'utf8').digest();

/**
 * Checks a presented client secret (RFC 6749 §2.3.1) against every candidate hash of one client, in
 * constant time per candidate and without stopping at a match: how long the check takes depends on the
 * number of candidates only, never on which one (if any) matched. Then the matched secret's lifetime:
 * an active secret past its `expires_at` is `expired` (RFC 7591 §3.2.1 `client_secret_expires_at`); an
 * inactive one past it (end of a rotation grace period, or deactivated) is simply `invalid`.
 */
export function checkSecret(
  presented: string,
  candidates: readonly SecretCandidate[],
  now: number,
): { check: SecretCheck; secret: SecretCandidate | null } {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let matched: SecretCandidate | null = null;
  if (candidates.length === 0) timingSafeEqual(digest, DUMMY);
  for (const c of candidates) {
    const stored = Buffer.from(c.secretHash, 'hex');
    // Every stored hash is 32 bytes; a corrupt row simply never matches, after the same comparison.
    const equal = timingSafeEqual(digest, stored.length === 32 ? stored : DUMMY);
    if (equal && stored.length === 32) matched = c;
  }
  if (!matched) return { check: 'invalid', secret: null };
  if (matched.expiresAt !== 0 && matched.expiresAt <= now) {
    return { check: matched.status === 'active' ? 'expired' : 'invalid', secret: null };
  }
  return { check: 'valid', secret: matched };
}

/** True while a secret authenticates: not past its `expires_at` (0 = never). */
export function secretAuthenticates(s: Pick<SecretCandidate, 'expiresAt'>, now: number): boolean {
  return s.expiresAt === 0 || s.expiresAt > now;
}
