import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';

/**
 * Phase of a signing key, as its times give it: `next` (published, signs from `activatesAt`), `active`
 * (the algorithm's newest key whose `activatesAt` has passed: it signs), `retired` (superseded or withdrawn:
 * verifies until `notAfter`, then disappears).
 */
export type SigningKeyStatus = 'next' | 'active' | 'retired';

/**
 * A JWS signing key (RFC 7515) of this server, shared by every instance through the database.
 *
 * - `kid` is the RFC 7638 JWK thumbprint of the public key.
 * - `privateKeyEnc` is the private JWK encrypted with AES-256-GCM under `KEYS_ENCRYPTION_KEY`
 *   (`select: false`: an ordinary find never loads it).
 * - `activatesAt` decides when the key signs: each instance signs with the newest published key of the
 *   algorithm whose `activatesAt` has passed, by its own clock and the rows it read, so a staged key takes
 *   over on every instance at the same moment without anyone writing anything (docs/keys.md).
 * - `status` mirrors the phase those times give; whichever instance notices a change first writes it.
 *   Nothing decides by it.
 * - `activeSlot` is the algorithm's fixed slot (`ACTIVE_SLOT_BY_ALG`: ES256 1, RS256 2) on its newest key
 *   and `NULL` on the others; its unique index is what makes "create the first key" and "rotate"
 *   race-safe across instances.
 * - A key stays published in the JWK Set (RFC 7517 §5) until `notAfter` (NULL: no end yet), so tokens it
 *   signed keep verifying for their whole lifetime.
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

  /** The algorithm's slot on its newest key, NULL otherwise (unique: one newest key per algorithm). */
  @Index('UQ_signing_keys_active_slot', { unique: true })
  @Column({ name: 'active_slot', type: 'int', nullable: true })
  activeSlot!: number | null;

  /** Epoch seconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochSeconds })
  createdAt!: number;

  /** Epoch seconds from which the key signs (unless a newer key of its algorithm has activated). */
  @Column({ name: 'activates_at', type: 'bigint', transformer: epochSeconds })
  activatesAt!: number;

  /** Epoch seconds at which the key stops signing (its successor's `activatesAt`); NULL until known. */
  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochSeconds })
  retiredAt!: number | null;

  /** Epoch seconds after which the key is neither published nor accepted; NULL until it is retired. */
  @Column({ name: 'not_after', type: 'bigint', nullable: true, transformer: epochSeconds })
  notAfter!: number | null;
}
