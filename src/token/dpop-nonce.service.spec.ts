import { describe, expect, it } from 'vitest';
import type { Clock } from '../common/time/clock.js';
import type { KeyStoreService } from '../keys/index.js';
import { DPOP_NONCE_WINDOW_SECONDS, DpopNonceService } from './dpop-nonce.service.js';

const W = DPOP_NONCE_WINDOW_SECONDS;

function service(secret: number, nowSeconds: () => number): DpopNonceService {
  const keys = { deriveSecret: () => Buffer.alloc(32, secret) } as unknown as KeyStoreService;
  const clock = { nowSeconds } as unknown as Clock;
  return new DpopNonceService(keys, clock);
}

describe('DpopNonceService (RFC 9449 §8, ADR 0116)', () => {
  it('issues one 43-character base64url nonce per window', () => {
    let now = 1_000 * W;
    const s = service(1, () => now);
    const first = s.current();
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    now += W - 1;
    expect(s.current()).toBe(first);
    now += 1;
    expect(s.current()).not.toBe(first);
  });

  it('accepts the previous, current and next window, and nothing older or newer', () => {
    const now = 1_000 * W + 17;
    const s = service(1, () => now);
    expect(s.isValid(s.issuedAt(now - W))).toBe(true);
    expect(s.isValid(s.issuedAt(now))).toBe(true);
    expect(s.isValid(s.issuedAt(now + W))).toBe(true);
    expect(s.isValid(s.issuedAt(now - 2 * W))).toBe(false);
    expect(s.isValid(s.issuedAt(now + 2 * W))).toBe(false);
  });

  it('is the same on instances with the same secret, and differs with another secret', () => {
    const now = 5_000 * W;
    const a = service(1, () => now);
    const b = service(1, () => now);
    const other = service(2, () => now);
    expect(b.isValid(a.current())).toBe(true);
    expect(other.isValid(a.current())).toBe(false);
  });

  it('refuses malformed values without throwing', () => {
    const s = service(1, () => 7 * W);
    for (const bad of ['', 'x', 'A'.repeat(43), 'é'.repeat(43), 'A'.repeat(44)]) {
      expect(s.isValid(bad)).toBe(false);
    }
  });
});
