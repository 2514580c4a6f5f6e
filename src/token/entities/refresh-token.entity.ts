import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/**
 * A refresh token (RFC 6749 §1.5, §6), stored only as the SHA-256 hex hash of `rt_…`. Rotation
 * (RFC 9700 §4.14.2) marks the presented token `rotated_at` and links its successor in `replaced_by`;
 * every token of one grant shares `family_id`, so presenting a rotated token revokes the whole family.
 */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  /** A ULID. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 26 })
  id!: string;

  @Index('UQ_refresh_tokens_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64, select: false })
  tokenHash!: string;

  /** The grant id: the same for the token issued from a code and every rotation after it. */
  @Index('IDX_refresh_tokens_family_id')
  @Column({ name: 'family_id', type: 'varchar', length: 26 })
  familyId!: string;

  @Index('IDX_refresh_tokens_client_id')
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  @Index('IDX_refresh_tokens_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  /** Scope of the grant; identical across rotations (RFC 6749 §6). */
  @Column({ name: 'scopes', type: 'text', transformer: jsonText })
  scopes!: string[];

  /** Audience of the access tokens of this grant (RFC 8707 `resource`), null = the issuer. */
  @Column({ name: 'audience', type: 'text', nullable: true, transformer: jsonText })
  audience!: string[] | null;

  @Column({ name: 'auth_time', type: 'bigint', transformer: epochSeconds })
  authTime!: number;

  /**
   * The login session the grant began in (its public `sid`), named again by ID tokens issued on refresh
   * (OpenID Connect Back-Channel Logout 1.0 §2.1); null: none.
   */
  @Column({ name: 'sid', type: 'varchar', length: 64, nullable: true })
  sid!: string | null;

  @Column({ name: 'issued_at', type: 'bigint', transformer: epochSeconds })
  issuedAt!: number;

  @Index('IDX_refresh_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;

  @Column({ name: 'rotated_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  rotatedAt!: number | null;

  @Column({ name: 'replaced_by', type: 'varchar', length: 26, nullable: true })
  replacedBy!: string | null;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  revokedAt!: number | null;

  /**
   * RFC 9449 §5: the RFC 7638 thumbprint of the DPoP key a public client's refresh token is bound to;
   * null when unbound. A refresh must then carry a proof signed with that key.
   */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 43, nullable: true })
  dpopJkt!: string | null;
}
