import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/** Lifecycle of a signing key: `active` signs new tokens; `retired` only verifies until `notAfter`. */
export type SigningKeyStatus = 'active' | 'retired';

/**
 * A JWS signing key (RFC 7515) of this server, shared by every instance through the database.
 *
 * - `kid` is the RFC 7638 JWK thumbprint of the public key.
 * - `privateKeyEnc` is the private JWK encrypted with AES-256-GCM under `KEYS_ENCRYPTION_KEY`
 *   (`select: false`: an ordinary find never loads it).
 * - `activeSlot` is the algorithm's fixed slot (`ACTIVE_SLOT_BY_ALG`: ES256 1, RS256 2) on its one active
 *   key and `NULL` on retired ones; its unique index is what makes "create the first key" and "rotate"
 *   race-safe across instances (a second active row of an algorithm cannot exist).
 * - A retired key stays published in the JWK Set (RFC 7517 §5) until `notAfter`, so tokens it signed
 *   before rotation keep verifying for their whole lifetime.
 */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ name: 'kid', type: 'varchar', length: 64 })
  kid!: string;

  /** JWS `alg` (RFC 7518 §3.1): `ES256` or `RS256`. */
  @Column({ name: 'alg', type: 'varchar', length: 16 })
  alg!: string;

  /** Public JWK members only (kty, crv, x, y or n, e). */
  @Column({ name: 'public_jwk', type: 'text', transformer: jsonText })
  publicJwk!: Record<string, string>;

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url), AES-256-GCM, AAD bound to the kid. */
  @Column({ name: 'private_key_enc', type: 'text', select: false })
  privateKeyEnc!: string;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: SigningKeyStatus;

  /** The algorithm's slot on its active key, NULL otherwise (unique: at most one active key per algorithm). */
  @Index('UQ_signing_keys_active_slot', { unique: true })
  @Column({ name: 'active_slot', type: 'int', nullable: true })
  activeSlot!: number | null;

  /** Epoch seconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  /** Epoch seconds; set when the key stops signing. */
  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  retiredAt!: number | null;

  /** Epoch seconds after which a retired key is neither published nor accepted. */
  @Column({ name: 'not_after', type: 'bigint', nullable: true, transformer: epochSeconds })
  notAfter!: number | null;
}
