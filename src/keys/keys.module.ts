import { Logger, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { resolveEncryptionKey } from './encryption-key.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { JwksController } from './jwks.controller.js';
import { KeyEncryptionCheck } from './key-encryption-check.service.js';
import { KeyReencryptionService } from './key-reencryption.service.js';
import { KEY_ENCRYPTION_KEY } from './keys.constants.js';
import { KeysService } from './keys.service.js';

/** KEYS_ENCRYPTION_KEY, else a generated key file beside the SQLite database (issue 7 item 3). */
function encryptionKeyProvider(): Provider {
  return {
    provide: KEY_ENCRYPTION_KEY,
    inject: [AppConfig],
    useFactory: (config: AppConfig) => resolveEncryptionKey(config, new Logger('KeysService')),
  };
}

/**
 * Signing keys shared through the database, JWT signing/verification and the JWK Set endpoint
 * (RFC 7515, RFC 7517). Static: import it wherever `KeysService` is needed.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  controllers: [JwksController],
  providers: [encryptionKeyProvider(), KeysService, KeyEncryptionCheck],
  exports: [KeysService],
})
export class KeysModule {}

/**
 * Maintenance of the stored signing keys for `npm run keys:reencrypt`: the same key-encryption key as the
 * server, without KeysModule's start-up check (which refuses the very rows this command repairs).
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  providers: [encryptionKeyProvider(), KeyReencryptionService],
  exports: [KeyReencryptionService],
})
export class KeyMaintenanceModule {}
