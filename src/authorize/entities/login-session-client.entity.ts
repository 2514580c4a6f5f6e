import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../common/database/columns.js';

/**
 * A relying party that was issued an authorization code in a login session: the clients that get a
 * logout token when the session ends (OIDC Back-Channel Logout 1.0 §2.7, "each RP that the user has
 * logged into"). Kept as long as the session may live (`expires_at`), deleted when it ends.
 */
@Entity('login_session_clients')
export class LoginSessionClientEntity {
  /** The session's public `sid` (`login_sessions.sid`). */
  @PrimaryColumn({ name: 'sid', type: 'varchar', length: 64 })
  sid!: string;

  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  @Index('IDX_login_session_clients_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;
}
