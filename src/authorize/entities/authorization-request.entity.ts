import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/**
 * A validated authorization request (RFC 6749 §4.1.1) waiting for the user to log in and consent. All of
 * its state is here, so any instance can serve the login and consent pages; the forms carry only the
 * id and a CSRF token. It lives ten minutes and is consumed once, by one conditional UPDATE, when the
 * authorization response is sent.
 */
@Entity('authorization_requests')
export class AuthorizationRequestEntity {
  /** `req_` + 192 random bits (base64url). */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 64 })
  id!: string;

  /** SHA-256 hex of the browser-binding cookie of the browser that started the request. */
  @Column({ name: 'binding_hash', type: 'varchar', length: 64, select: false })
  bindingHash!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  /** The validated redirect URI the response goes to (RFC 6749 §3.1.2). */
  @Column({ name: 'redirect_uri', type: 'varchar', length: 2048 })
  redirectUri!: string;

  /** Whether `redirect_uri` was in the request (RFC 6749 §4.1.3 then requires it at the token endpoint). */
  @Column({ name: 'redirect_uri_provided', type: 'boolean' })
  redirectUriProvided!: boolean;

  @Column({ name: 'scopes', type: 'text', transformer: jsonText })
  scopes!: string[];

  @Column({ name: 'state', type: 'text', nullable: true })
  state!: string | null;

  @Column({ name: 'nonce', type: 'text', nullable: true })
  nonce!: string | null;

  @Column({ name: 'code_challenge', type: 'varchar', length: 128, nullable: true })
  codeChallenge!: string | null;

  /**
   * RFC 9449 §10: the JWK SHA-256 thumbprint (RFC 7638) of the DPoP key the request's code will be
   * bound to (the `dpop_jkt` parameter). Null when the authorization request named none.
   */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 43, nullable: true })
  dpopJkt!: string | null;

  /** RFC 8707 resource indicators named in the request; null when none were. */
  @Column({ name: 'resources', type: 'text', nullable: true, transformer: jsonText })
  resources!: string[] | null;

  /** OIDC Core §3.1.2.1 `prompt` values. */
  @Column({ name: 'prompt', type: 'text', transformer: jsonText })
  prompt!: string[];

  /** OIDC Core §3.1.2.1 `max_age`, seconds. */
  @Column({ name: 'max_age', type: 'bigint', nullable: true, transformer: epochSeconds })
  maxAge!: number | null;

  @Column({ name: 'login_hint', type: 'varchar', length: 255, nullable: true })
  loginHint!: string | null;

  /** The user who authenticated for this request (set by the login step, or from the session). */
  @Column({ name: 'user_id', type: 'varchar', length: 191, nullable: true })
  userId!: string | null;

  @Column({ name: 'auth_time', type: 'bigint', nullable: true, transformer: epochSeconds })
  authTime!: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  @Index('IDX_authorization_requests_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;

  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  consumedAt!: number | null;
}
