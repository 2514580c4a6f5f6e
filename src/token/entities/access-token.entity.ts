import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/**
 * The record of an issued JWT access token (RFC 9068), keyed by its `jti`. The JWT is self-contained;
 * this row is what lets revocation (RFC 7009), client deletion and code replay (RFC 6749 §4.1.2) end
 * it before its `exp`, and what introspection (RFC 7662) and userinfo consult.
 */
@Entity('access_tokens')
export class AccessTokenEntity {
  /** The JWT `jti`, a ULID. */
  @PrimaryColumn({ name: 'jti', type: 'varchar', length: 26 })
  jti!: string;

  @Index('IDX_access_tokens_client_id')
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  /** The resource owner; null for `client_credentials` tokens. */
  @Index('IDX_access_tokens_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 191, nullable: true })
  userId!: string | null;

  /** The grant (code / refresh family) the token came from; null for `client_credentials`. */
  @Index('IDX_access_tokens_family_id')
  @Column({ name: 'family_id', type: 'varchar', length: 26, nullable: true })
  familyId!: string | null;

  @Column({ name: 'scopes', type: 'text', transformer: jsonText })
  scopes!: string[];

  @Column({ name: 'issued_at', type: 'bigint', transformer: epochSeconds })
  issuedAt!: number;

  @Index('IDX_access_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  revokedAt!: number | null;
}
