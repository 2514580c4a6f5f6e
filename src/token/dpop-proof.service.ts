import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { QueryFailedError, type Repository } from 'typeorm';
import { nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { isUniqueViolation } from './client-authentication.service.js';
import { DpopNonceService, DPOP_NONCE_HEADER } from './dpop-nonce.service.js';
import { DpopProofJtiEntity } from './entities/dpop-proof-jti.entity.js';
import { TokenPurgeService } from './token-purge.service.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** RFC 9449 §4.2: media type of a DPoP proof (`typ` header). */
export const DPOP_PROOF_TYP = 'dpop+jwt';

/**
 * Asymmetric JWS algorithms accepted for DPoP proofs (RFC 9449 §4.3 item 5), advertised as
 * `dpop_signing_alg_values_supported` (§5.1). All are verified by `jose`. `Ed25519` is the fully-specified
 * name of EdDSA over Ed25519 (RFC 9864); oauth4webapi and openid-client sign Ed25519 proofs with it.
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'] as const;

/**
 * How old a proof's `iat` may be (RFC 9449 §4.3 item 11 and §11.1: "a reasonable window"); the `jti` of
 * an accepted proof is kept this long, so a replay inside the window is caught on every instance.
 */
export const DPOP_PROOF_MAX_AGE_SECONDS = 300;

/** How far in the future a proof's `iat` may be: tolerated clock skew of the client. */
export const DPOP_CLOCK_SKEW_SECONDS = 60;

/** JWK members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4, RFC 8037). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A DPoP proof that verified: the RFC 7638 thumbprint of its key. */
export interface VerifiedDpopProof {
  jkt: string;
}

/** RFC 9449 §5: 400 `invalid_dpop_proof`. */
export function invalidDpopProof(description: string): OAuthError {
  return new OAuthError('invalid_dpop_proof', 400, description);
}

/**
 * RFC 9449 §8: 400 `use_dpop_nonce` with the nonce to use in `DPoP-Nonce` (at a resource, the caller turns
 * it into 401 with a `DPoP` challenge, §9).
 */
export function useDpopNonce(description: string, nonce: string): OAuthError {
  return new OAuthError('use_dpop_nonce', 400, description, { [DPOP_NONCE_HEADER]: nonce });
}

/**
 * Verifies DPoP proofs (RFC 9449 §4.3) sent in the `DPoP` request header: shape, `typ`, an accepted
 * asymmetric `alg`, a public `jwk` that verifies the signature, `htm`/`htu` of this request, a fresh `iat`,
 * the server nonce (§8, §9: required with `DPOP_NONCE_REQUIRED`, else checked when present) and a `jti`
 * not seen before (stored in the database, so a replay is refused by any instance).
 */
@Injectable()
export class DpopProofService {
  constructor(
    @InjectRepository(DpopProofJtiEntity) private readonly jtis: Repository<DpopProofJtiEntity>,
    private readonly purge: TokenPurgeService,
    private readonly nonces: DpopNonceService,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {}

  /**
   * The proof of a `POST` to one of this server's API routes (`path` under the route prefix, e.g.
   * `/oauth/pushed-authorization`), verified as {@link verify} does; null without a `DPoP` header.
   */
  verifyPost(
    headers: readonly string[] | undefined,
    path: string,
  ): Promise<VerifiedDpopProof | null> {
    return this.verify(headers, 'POST', this.settings.apiUrl(path));
  }

  /** The nonce to send in `DPoP-Nonce` now (RFC 9449 §8.2: on any response the server chooses). */
  currentNonce(): string {
    return this.nonces.current();
  }

  /**
   * The proof of a request, verified, or null when it carries no `DPoP` header.
   * @param headers every `DPoP` header value of the request (more than one is invalid, RFC 9449 §4.3 item 1)
   * @param method the request's HTTP method (`htm`)
   * @param endpointUrl the URL of the endpoint called, as the issuer names it (`htu`)
   * @param accessToken at a protected resource, the access token the proof must name in `ath` (§4.3 item 11)
   */
  async verify(
    headers: readonly string[] | undefined,
    method: string,
    endpointUrl: string,
    accessToken?: string,
  ): Promise<VerifiedDpopProof | null> {
    if (headers === undefined || headers.length === 0) return null;
    if (headers.length > 1) throw invalidDpopProof('Exactly one DPoP header is allowed');
    const proof = headers[0].trim();
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof) || proof.length > 8192) {
      throw invalidDpopProof('The DPoP proof is not a compact JWS');
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw invalidDpopProof('The DPoP proof header cannot be decoded');
    }
    if (header.typ !== DPOP_PROOF_TYP) {
      throw invalidDpopProof('The DPoP proof typ must be dpop+jwt');
    }
    if (!(DPOP_SIGNING_ALGS as readonly string[]).includes(String(header.alg))) {
      throw invalidDpopProof(`The DPoP proof alg must be one of ${DPOP_SIGNING_ALGS.join(', ')}`);
    }
    const jwk = header.jwk;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw invalidDpopProof('The DPoP proof header must carry the public key as jwk');
    }
    if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) {
      throw invalidDpopProof('The DPoP proof jwk must be a public key, not a private one');
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
        typ: DPOP_PROOF_TYP,
        algorithms: [...DPOP_SIGNING_ALGS],
      }));
    } catch (e) {
      if (e instanceof joseErrors.JOSEError || e instanceof TypeError) {
        throw invalidDpopProof('The DPoP proof signature does not verify with its jwk');
      }
      throw e;
    }
    const { jti, htm, htu, iat, ath } = payload;
    if (
      accessToken !== undefined &&
      ath !== createHash('sha256').update(accessToken, 'ascii').digest('base64url')
    ) {
      throw invalidDpopProof('The DPoP proof ath does not match the access token');
    }
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
      throw invalidDpopProof('The DPoP proof needs a jti');
    }
    if (htm !== method) throw invalidDpopProof('The DPoP proof htm does not match the request');
    if (typeof htu !== 'string' || !sameTarget(htu, endpointUrl)) {
      throw invalidDpopProof('The DPoP proof htu does not match the request URL');
    }
    const now = nowSeconds();
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      throw invalidDpopProof('The DPoP proof needs a numeric iat');
    }
    if (iat < now - DPOP_PROOF_MAX_AGE_SECONDS || iat > now + DPOP_CLOCK_SKEW_SECONDS) {
      throw invalidDpopProof('The DPoP proof iat is outside the accepted window');
    }
    // RFC 9449 §8: checked after everything else, so a client told `use_dpop_nonce` only lacks the nonce;
    // and before the jti is stored, so the refused proof costs no row.
    const { nonce } = payload;
    if (nonce === undefined) {
      if (this.settings.dpopNonceRequired) {
        throw useDpopNonce('The DPoP proof must carry the server nonce', this.nonces.current());
      }
    } else if (typeof nonce !== 'string' || !this.nonces.isValid(nonce)) {
      throw useDpopNonce('The DPoP proof nonce is invalid or has expired', this.nonces.current());
    }
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    await this.rememberJti(jkt, jti, Math.floor(iat) + DPOP_PROOF_MAX_AGE_SECONDS + 1);
    return { jkt };
  }

  private async rememberJti(jkt: string, jti: string, expiresAt: number): Promise<void> {
    try {
      await this.jtis.insert({ jkt, jtiHash: sha256Hex(jti), expiresAt });
    } catch (e) {
      if (e instanceof QueryFailedError && isUniqueViolation(e as QueryFailedError<Error>)) {
        throw invalidDpopProof('The DPoP proof jti has already been used');
      }
      throw e;
    }
    this.purge.maybePurge();
  }
}

/**
 * RFC 9449 §4.3 item 9: `htu` matches the request URL, ignoring its query and fragment, after the URL
 * normalisation of RFC 3986 §6.2.2-6.2.3 (what the WHATWG URL parser does: case, default port, dots).
 */
function sameTarget(htu: string, endpointUrl: string): boolean {
  let u: URL;
  try {
    u = new URL(htu);
  } catch {
    return false;
  }
  u.search = '';
  u.hash = '';
  return u.href === new URL(endpointUrl).href;
}
