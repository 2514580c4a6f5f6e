import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/time/clock.js';
import { KeyStoreService } from '../keys/index.js';

/**
 * Length of one nonce window, seconds. A nonce names the window it was issued in and is accepted in that
 * window and the next, so it lives from {@link DPOP_NONCE_WINDOW_SECONDS} to twice that (5 to 10 minutes);
 * a nonce of the window after the current one is accepted too, for an instance whose clock runs ahead.
 * As long as the `iat` window of proofs (RFC 9449 §11.1), so a proof with a fresh nonce is never older
 * than a proof without one could be.
 */
export const DPOP_NONCE_WINDOW_SECONDS = 300;

/** Response header that carries a server-provided nonce (RFC 9449 §8.1, §9). */
export const DPOP_NONCE_HEADER = 'DPoP-Nonce';

/** Windows kept in the per-instance cache of issued nonce strings (previous, current, next, spare). */
const CACHED_WINDOWS = 4;

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9) without any state: a nonce is the base64url HMAC-SHA256 of
 * its time window under a secret derived from the key-encryption key ({@link KeyStoreService.deriveSecret}),
 * so every instance sharing the database issues and accepts the same nonces, and checking one costs no
 * database access at all (ADR 0116). Nonces are unpredictable to clients (they cannot pre-compute proofs
 * for a later window), but they are not single-use: replay within the window is what the `jti` store
 * catches.
 */
@Injectable()
export class DpopNonceService {
  private readonly secret: Buffer;
  private readonly byWindow = new Map<number, string>();

  constructor(
    keys: KeyStoreService,
    private readonly clock: Clock,
  ) {
    this.secret = keys.deriveSecret('dpop-nonce');
  }

  /** The nonce to hand out now (`DPoP-Nonce` header, `GET /oauth/dpop/nonce`). */
  current(): string {
    return this.nonceOf(this.windowAt(this.clock.nowSeconds()));
  }

  /**
   * The nonce of the window that contains `epochSeconds`. For tests and tools: the server itself only
   * issues {@link current}.
   */
  issuedAt(epochSeconds: number): string {
    return this.nonceOf(this.windowAt(epochSeconds));
  }

  /** Whether `nonce` is one of the previous, current or next window (constant-time comparisons). */
  isValid(nonce: string): boolean {
    const given = Buffer.from(nonce);
    // 32 bytes of HMAC in base64url; anything else (non-ASCII included) cannot match.
    if (given.length !== 43) return false;
    const now = this.windowAt(this.clock.nowSeconds());
    let ok = false;
    for (const w of [now - 1, now, now + 1]) {
      // No early exit: the time taken does not tell which window matched.
      if (timingSafeEqual(given, Buffer.from(this.nonceOf(w)))) ok = true;
    }
    return ok;
  }

  private windowAt(epochSeconds: number): number {
    return Math.floor(epochSeconds / DPOP_NONCE_WINDOW_SECONDS);
  }

  private nonceOf(window: number): string {
    let nonce = this.byWindow.get(window);
    if (nonce === undefined) {
      nonce = createHmac('sha256', this.secret).update(`dpop-nonce:${window}`).digest('base64url');
      if (this.byWindow.size >= CACHED_WINDOWS) this.byWindow.clear();
      this.byWindow.set(window, nonce);
    }
    return nonce;
  }
}
