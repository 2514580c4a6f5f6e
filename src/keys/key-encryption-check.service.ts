import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../common/time/clock.js';
import type { ResolvedEncryptionKey } from './encryption-key.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { decryptPrivateKey, developmentEncryptionKey } from './key-encryption.js';
import { phaseOf } from './key-schedule.js';
import { KEY_ENCRYPTION_KEY } from './keys.constants.js';

/** The stored private keys that the configured key-encryption key does not open, by cause. */
export interface UndecryptableKeys {
  /** Encrypted with the built-in development key (anyone can derive it). */
  development: { kid: string; active: boolean }[];
  /** Encrypted with some other key (KEYS_ENCRYPTION_KEY changed, or a key file was lost). */
  unknown: { kid: string; active: boolean }[];
}

/** Thrown at start-up when an active signing key is still under the development key. */
export class DevelopmentKeyRowsError extends Error {}

/**
 * Checks at start-up that the configured key-encryption key opens the stored private signing keys
 * (issue 7 item 3). Rows still encrypted with the derivable development key — written by a server that
 * ran without `KEYS_ENCRYPTION_KEY` before — make the server refuse to start while one of them is an
 * active key (it could not sign, and the key must be presumed known), naming the command that fixes it:
 * `npm run keys:reencrypt -- --from-key dev`, then `npm run keys:rotate`. Rows under an unknown key are
 * logged (the instance still starts and publishes the JWK Set; signing with them fails). Skipped when the
 * development key is itself the configured key (MySQL/MariaDB with `NODE_ENV=development`).
 */
@Injectable()
export class KeyEncryptionCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('KeysService');

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly keys: Repository<SigningKeyEntity>,
    @Inject(KEY_ENCRYPTION_KEY) private readonly resolved: ResolvedEncryptionKey,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.resolved.source === 'development') return;
    const found = await this.undecryptable();
    if (found.development.length > 0) {
      const kids = found.development.map((k) => k.kid).join(', ');
      const message =
        `Signing keys ${kids} are encrypted with the built-in development key, which anyone can derive ` +
        '(a server without KEYS_ENCRYPTION_KEY wrote them): whoever has a copy of this database can ' +
        'forge tokens with them. With the same settings as the server, run ' +
        'npm run keys:reencrypt -- --from-key dev, then npm run keys:rotate.';
      if (found.development.some((k) => k.active)) throw new DevelopmentKeyRowsError(message);
      this.logger.error(message);
    }
    if (found.unknown.length > 0) {
      this.logger.error(
        `Signing keys ${found.unknown.map((k) => k.kid).join(', ')} cannot be decrypted with the ` +
          'configured key-encryption key: this instance cannot sign with them. If the key changed, run ' +
          'npm run keys:reencrypt -- --from-key env:<VAR> (or file:<path>) with the previous key.',
      );
    }
  }

  /** Every stored private key the configured key does not open. Reads the ciphertexts, logs none. */
  async undecryptable(): Promise<UndecryptableKeys> {
    const rows = await this.keys.createQueryBuilder('k').addSelect('k.privateKeyEnc').getMany();
    const out: UndecryptableKeys = { development: [], unknown: [] };
    const now = this.clock.nowSeconds();
    for (const row of rows) {
      // A key that signs now or is staged to sign (docs/keys.md): the instance would have to use it.
      const phase = phaseOf(row, rows, now);
      const entry = { kid: row.kid, active: phase === 'active' || phase === 'next' };
      if (opens(row, this.resolved.key)) continue;
      (opens(row, developmentEncryptionKey()) ? out.development : out.unknown).push(entry);
    }
    return out;
  }
}

function opens(row: SigningKeyEntity, key: Buffer): boolean {
  try {
    decryptPrivateKey(row.privateKeyEnc, row.kid, key);
    return true;
  } catch {
    return false;
  }
}
