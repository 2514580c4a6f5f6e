import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * An end-user who signs in at `/oauth/authorize`. `id` (`usr_` + ULID) is the OIDC `sub` (OIDC Core §2):
 * stable and never reassigned. The password is stored only as an argon2id hash (`select: false`).
 * Usernames are stored normalised (NFC, lower case) so that uniqueness means the same on SQLite and MySQL.
 */
@Entity('users')
export class UserEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 30 })
  id!: string;

  @Index('UQ_users_username', { unique: true })
  @Column({ name: 'username', type: 'varchar', length: 191 })
  username!: string;

  /** argon2id PHC string (RFC 9106). */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash!: string;

  @Column({ name: 'email', type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  @Column({ name: 'name', type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @Column({ name: 'given_name', type: 'varchar', length: 255, nullable: true })
  givenName!: string | null;

  @Column({ name: 'family_name', type: 'varchar', length: 255, nullable: true })
  familyName!: string | null;

  /** Space-separated role names, e.g. `admin` (issue 8); empty for an ordinary user. */
  @Column({ name: 'roles', type: 'varchar', length: 255, default: '' })
  roles!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
