import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/**
 * An authorization code (RFC 6749 §4.1.2), stored only as the SHA-256 hex hash of the code. It is single
 * use (`consumed_at` is set by one conditional UPDATE), short-lived (`expires_at`), and bound to the
 * client, the redirect URI and the PKCE challenge (RFC 7636 §4.4). `grant_id` links it to the tokens
 * issued from it, so that a replay can revoke them (RFC 6749 §4.1.2).
 */
@Entity('authorization_codes')
export class AuthorizationCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  /** Family id of every token issued from this code (a ULID). */
  @Column({ name: 'grant_id', type: 'varchar', length: 26 })
  grantId!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  @Column({ name: 'redirect_uri', type: 'varchar', length: 2048 })
  redirectUri!: string;

  /** Whether `redirect_uri` was in the authorization request (RFC 6749 §4.1.3). */
  @Column({ name: 'redirect_uri_provided', type: 'boolean' })
  redirectUriProvided!: boolean;

  /** Granted scope values. */
  @Column({ name: 'scopes', type: 'text', transformer: jsonText })
  scopes!: string[];

  /** OIDC Core §3.1.2.1 `nonce`, echoed in the ID token. */
  @Column({ name: 'nonce', type: 'text', nullable: true })
  nonce!: string | null;

  @Column({ name: 'code_challenge', type: 'varchar', length: 128, nullable: true })
  codeChallenge!: string | null;

  @Column({ name: 'code_challenge_method', type: 'varchar', length: 8, nullable: true })
  codeChallengeMethod!: 'S256' | null;

  /**
   * RFC 9449 §10: the JWK SHA-256 thumbprint (RFC 7638) of the DPoP key the code is bound to; the token
   * request must carry a proof by that key. Null when the authorization request named none.
   */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 43, nullable: true })
  dpopJkt!: string | null;

  /** RFC 8707 resource indicators named in the authorization request; null when none were. */
  @Column({ name: 'resources', type: 'text', nullable: true, transformer: jsonText })
  resources!: string[] | null;

  /** Epoch seconds of the user's authentication (OIDC Core §2 `auth_time`). */
  @Column({ name: 'auth_time', type: 'bigint', transformer: epochSeconds })
  authTime!: number;

  /** The login session the code was issued in (its public `sid`), echoed in the ID token; null: none. */
  @Column({ name: 'sid', type: 'varchar', length: 64, nullable: true })
  sid!: string | null;

  @Index('IDX_authorization_codes_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;

  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  consumedAt!: number | null;
}
