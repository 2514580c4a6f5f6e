import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/**
 * A browser login session at the authorization server (the `authms_session` cookie). Only the SHA-256
 * hash of the cookie value is stored. `auth_time` is when the user last authenticated (OIDC Core §2),
 * which `max_age` and `prompt=login` are measured against.
 */
@Entity('login_sessions')
export class LoginSessionEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash!: string;

  /**
   * The public session id (`sid` of ID tokens and logout tokens, OIDC Back-Channel Logout 1.0 §2.1):
   * random, unrelated to the cookie value. Null for sessions started before logout support.
   */
  @Index('UQ_login_sessions_sid', { unique: true })
  @Column({ name: 'sid', type: 'varchar', length: 64, nullable: true })
  sid!: string | null;

  @Index('IDX_login_sessions_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  @Column({ name: 'auth_time', type: 'bigint', transformer: epochSeconds })
  authTime!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  @Index('IDX_login_sessions_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;
}
