import { describe, expect, it } from 'vitest';
import {
  isPublished,
  phaseOf,
  publicationOrder,
  signingKeyOf,
  type ScheduledKey,
} from './key-schedule.js';
import { LONGEST_JWKS_CACHE_SECONDS } from './keys.constants.js';

function key(kid: string, alg: string, activatesAt: number, extra: Partial<ScheduledKey> = {}) {
  return {
    kid,
    alg,
    createdAt: activatesAt,
    activatesAt,
    retiredAt: null,
    notAfter: null,
    ...extra,
  };
}

// A rotation staged at 1000: `old` signs until 1600, then `next` does; `old` stays published to 2590.
const old = key('old', 'ES256', 0, { retiredAt: 1600, notAfter: 2590 });
const next = key('next', 'ES256', 1600, { createdAt: 1000 });
const rsa = key('rsa', 'RS256', 10);
const keys = [old, next, rsa];

describe('key schedule', () => {
  it('signs with the newest published key whose activation time has passed, per algorithm', () => {
    expect(signingKeyOf(keys, 'ES256', 1599)?.kid).toBe('old');
    expect(signingKeyOf(keys, 'ES256', 1600)?.kid).toBe('next');
    expect(signingKeyOf(keys, 'RS256', 1600)?.kid).toBe('rsa');
    expect(signingKeyOf(keys, 'RS256', 5)).toBeUndefined();
    // A withdrawn key (not_after passed) never signs, however new.
    const withdrawn = key('gone', 'ES256', 1700, { notAfter: 1700 });
    expect(signingKeyOf([...keys, withdrawn], 'ES256', 1800)?.kid).toBe('next');
  });

  it('publishes a key until its not_after, staged keys included', () => {
    expect(isPublished(next, 1000)).toBe(true);
    expect(isPublished(old, 2589)).toBe(true);
    expect(isPublished(old, 2590)).toBe(false);
  });

  it('gives each key its phase: next before activation, active while it signs, retired after', () => {
    expect([old, next, rsa].map((k) => phaseOf(k, keys, 1200))).toEqual([
      'active',
      'next',
      'active',
    ]);
    expect([old, next, rsa].map((k) => phaseOf(k, keys, 1600))).toEqual([
      'retired',
      'active',
      'active',
    ]);
    expect(phaseOf(old, keys, 3000)).toBe('retired');
  });

  it('orders the JWK Set: signing keys by algorithm slot, then staged keys, then retired ones newest first', () => {
    const older = key('older', 'RS256', -100, { retiredAt: 10, notAfter: 5000 });
    const all = [older, ...keys];
    expect(publicationOrder(all, 1200).map((k) => k.kid)).toEqual(['old', 'rsa', 'next', 'older']);
    expect(publicationOrder(all, 1600).map((k) => k.kid)).toEqual(['next', 'rsa', 'old', 'older']);
    expect(publicationOrder(all, 2600).map((k) => k.kid)).toEqual(['next', 'rsa', 'older']);
  });

  it('the shortest allowed KEYS_PUBLISH_AHEAD covers the key cache plus the JWK Set max-age', () => {
    expect(LONGEST_JWKS_CACHE_SECONDS).toBe(60 + 300);
  });
});
