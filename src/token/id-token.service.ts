import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { nowSeconds } from '../common/crypto/tokens.js';
import { JwtService, JwtVerificationError, type SigningAlg } from '../keys/index.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** What an ID token states (OpenID Connect Core §2, §3.1.3.6). */
export interface IdTokenInput {
  userId: string;
  clientId: string;
  authTime: number;
  nonce?: string | null;
  /** The login session's public id (OIDC Back-Channel Logout 1.0 §2.1 `sid`); omitted when null. */
  sid?: string | null;
  /** The access token issued beside it, for `at_hash`. */
  accessToken: string;
  /** The client's `id_token_signed_response_alg` (OIDC Registration §2); null: `TOKEN_ID_ALG`. */
  alg?: SigningAlg | null;
}

/** What a verified `id_token_hint` says. */
export interface IdTokenHint {
  /** The user. */
  sub: string;
  /** The client the ID token was issued to. */
  aud: string;
  /** The login session it was issued in, if any. */
  sid: string | null;
}

/** Hash of the JWS algorithm family: SHA-256 for *256, SHA-384 for *384, SHA-512 for *512 and EdDSA. */
function hashFor(alg: string): string {
  if (alg.endsWith('384')) return 'sha384';
  if (alg.endsWith('512') || alg === 'EdDSA' || alg === 'Ed25519') return 'sha512';
  return 'sha256';
}

/**
 * OpenID Connect ID tokens, kept minimal: `iss`, `sub`, `aud` (the client), `exp`, `iat`, `auth_time`,
 * `nonce` when the authorization request had one, `at_hash`, `azp`, and `sid` when the code was issued in
 * a login session (OIDC Back-Channel Logout 1.0 §2.1). Profile and email claims are
 * served by the UserInfo endpoint (OIDC Core §5.4: with an access token, claims come from UserInfo).
 * Signed with the client's registered `id_token_signed_response_alg` (OIDC Registration §2) or else
 * `TOKEN_ID_ALG` (RS256 by default, the default every relying party accepts); that algorithm's key is not
 * the access-token key when `KEYS_ALG` names another algorithm.
 */
@Injectable()
export class IdTokenService {
  constructor(
    private readonly keys: JwtService,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {}

  /**
   * Verifies an `id_token_hint` (OIDC RP-Initiated Logout 1.0 §2): an ID token this server issued, with
   * one of its published keys, `typ` `JWT` (so an access token or a logout token is refused), our `iss`, a
   * string `sub` and `aud`. An expired one is accepted, as §2 allows for this purpose (a relying party's
   * ID token has usually expired by the time the user signs out). Throws {@link JwtVerificationError}.
   */
  async verifyHint(token: string): Promise<IdTokenHint> {
    const claims = await this.keys.verifyJwt(token, { typ: 'JWT', allowExpired: true });
    const { sub, aud, sid } = claims;
    if (typeof sub !== 'string' || typeof aud !== 'string') {
      throw new JwtVerificationError('not an ID token of this server (sub and aud)');
    }
    return { sub, aud, sid: typeof sid === 'string' ? sid : null };
  }

  async sign(input: IdTokenInput): Promise<string> {
    const iat = nowSeconds();
    const alg = input.alg ?? this.settings.idTokenAlg;
    // OIDC Core §3.1.3.6: at_hash is the left half of the hash of the access token's ASCII octets,
    // with the hash of the ID token's alg.
    const digest = createHash(hashFor(alg)).update(input.accessToken, 'ascii').digest();
    const payload: Record<string, unknown> = {
      iss: this.settings.issuer,
      sub: input.userId,
      aud: input.clientId,
      azp: input.clientId,
      iat,
      exp: iat + this.settings.idTokenTtlSeconds,
      auth_time: input.authTime,
      at_hash: digest.subarray(0, digest.length / 2).toString('base64url'),
    };
    if (input.nonce) payload.nonce = input.nonce;
    if (input.sid) payload.sid = input.sid;
    return this.keys.signJwt(payload, { typ: 'JWT', alg });
  }
}
