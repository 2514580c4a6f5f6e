import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/time/clock.js';
import { decodeCompactJwt, signCompactJwt, verifyCompactJwt, type SigningAlg } from './jwt.js';
import { KeyCacheService } from './key-cache.service.js';
import { JWT_CLOCK_TOLERANCE_SECONDS, KEYS_SETTINGS } from './keys.constants.js';
import type { KeysSettings } from './keys.options.js';

/** Why {@link JwtService.verifyJwt} rejected a token; `cause` holds the underlying error if any. */
export class JwtVerificationError extends Error {
  override name = 'JwtVerificationError';
}

/**
 * JWTs signed and verified with the server's own keys (RFC 7519 §7, RFC 7515 compact JWS), on
 * `node:crypto`'s one-shot sign/verify (`jwt.ts`, docs/adr/0013): the token endpoint signs one per
 * token, introspection and userinfo verify one per call. Keys come from {@link KeyCacheService}.
 */
@Injectable()
export class JwtService {
  constructor(
    @Inject(KEYS_SETTINGS) private readonly settings: KeysSettings,
    private readonly keys: KeyCacheService,
    private readonly clock: Clock,
  ) {}

  /**
   * Signs a JWT (RFC 7519 §7.1) with the key that signs `options.alg` now (default `KEYS_ALG`, the
   * access-token algorithm), creating that algorithm's first key on first use; sets the JOSE header `alg`,
   * `kid` and `typ` (default `JWT`; e.g. `at+jwt` for RFC 9068 access tokens). The payload is signed as
   * given: callers set `iss`, `aud`, `exp`, `iat`.
   */
  async signJwt(
    payload: Record<string, unknown>,
    options: { typ?: string; alg?: SigningAlg } = {},
  ): Promise<string> {
    const key = await this.keys.signingKey(options.alg ?? this.settings.alg);
    const privateKey = await this.keys.privateKey(key);
    return signCompactJwt(
      { alg: key.alg as SigningAlg, kid: key.kid, typ: options.typ ?? 'JWT' },
      payload,
      privateKey,
    );
  }

  /**
   * Verifies a JWT signed by one of our published keys (signing, staged, or retired before its
   * `not_after`): the signature with the key's own `alg` only (RFC 8725 §3.1), `iss` equal to the issuer, a
   * required `exp` and, when present, `nbf` (RFC 7519 §4.1.4-5) with a small clock tolerance, the header
   * `typ` when `options.typ` is given (RFC 8725 §3.11), `aud` when `options.audience` is given;
   * `allowExpired` skips the `exp` check (an `id_token_hint` only, OIDC RP-Initiated Logout 1.0 §2).
   * Throws {@link JwtVerificationError} on any failure; returns the claims.
   */
  async verifyJwt(
    token: string,
    options: { typ?: string; audience?: string; allowExpired?: boolean } = {},
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
    const key = await this.keys.verificationKey(kid);
    if (!key) throw new JwtVerificationError('JWT signed by an unknown or expired key');
    try {
      return verifyCompactJwt(jwt, key.publicKey, {
        alg: key.alg,
        issuer: this.settings.issuer,
        audience: options.audience,
        typ: options.typ,
        clockToleranceSeconds: JWT_CLOCK_TOLERANCE_SECONDS,
        now: this.clock.nowSeconds(),
        allowExpired: options.allowExpired,
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : 'invalid JWT';
      throw new JwtVerificationError(reason, { cause });
    }
  }
}
