import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ResolvedEncryptionKey } from './encryption-key.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js';
import { KEY_ENCRYPTION_KEY } from './keys.constants.js';

/** What {@link KeyReencryptionService.reencrypt} did, by kid. */
export interface ReencryptionResult {
  /** Rows that were under the old key and are now under the current one. */
  reencrypted: string[];
  /** Rows already under the current key (a second run changes nothing). */
  alreadyCurrent: string[];
}

/** Refused re-encryption; nothing was changed. `kids` names the rows that neither key opens. */
export class ReencryptionError extends Error {
  constructor(
    message: string,
    readonly kids: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Re-encrypts the stored private signing keys from an old key-encryption key to the current one (the key
 * the server resolves: `KEYS_ENCRYPTION_KEY`, or the key file beside the SQLite database), for
 * `npm run keys:reencrypt` (issue 7 item 3). All rows change in one transaction, or none: a row that
 * neither key opens aborts the run. Each update is conditional on the ciphertext read, so a concurrent
 * rotation is never overwritten. Key material is never logged.
 */
@Injectable()
export class KeyReencryptionService {
  private readonly logger = new Logger('KeysService');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KEY_ENCRYPTION_KEY) private readonly current: ResolvedEncryptionKey,
  ) {}

  /** Where the current key comes from (for the command's report). */
  get currentKey(): ResolvedEncryptionKey {
    return this.current;
  }

  async reencrypt(from: Buffer): Promise<ReencryptionResult> {
    const to = this.current.key;
    if (from.equals(to)) {
      throw new ReencryptionError('the old key is the current key: nothing to re-encrypt');
    }
    const result = await this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(SigningKeyEntity);
      const rows = await repo.createQueryBuilder('k').addSelect('k.privateKeyEnc').getMany();
      const done: ReencryptionResult = { reencrypted: [], alreadyCurrent: [] };
      const unopened: string[] = [];
      for (const row of rows) {
        if (opens(row, to)) {
          done.alreadyCurrent.push(row.kid);
          continue;
        }
        let plaintext: string;
        try {
          plaintext = decryptPrivateKey(row.privateKeyEnc, row.kid, from);
        } catch {
          unopened.push(row.kid);
          continue;
        }
        const res = await repo
          .createQueryBuilder()
          .update(SigningKeyEntity)
          .set({ privateKeyEnc: encryptPrivateKey(plaintext, row.kid, to) })
          .where('kid = :kid AND private_key_enc = :old', {
            kid: row.kid,
            old: row.privateKeyEnc,
          })
          .execute();
        if (res.affected !== 1) {
          throw new ReencryptionError(
            `signing key ${row.kid} changed meanwhile; run the command again`,
          );
        }
        done.reencrypted.push(row.kid);
      }
      if (unopened.length > 0) {
        throw new ReencryptionError(
          `neither the old nor the current key opens signing keys ${unopened.join(', ')}; nothing was changed`,
          unopened,
        );
      }
      return done;
    });
    for (const kid of result.reencrypted) {
      this.logger.log(`Re-encrypted private signing key ${kid}`);
    }
    return result;
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
