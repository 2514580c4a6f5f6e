import { Logger, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClockModule } from '../common/time/clock.module.js';
import { AppConfig } from '../config/index.js';
import { resolveEncryptionKey } from './encryption-key.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { JwksController } from './jwks.controller.js';
import { JwtService } from './jwt.service.js';
import { KeyCacheService } from './key-cache.service.js';
import { KeyEncryptionCheck } from './key-encryption-check.service.js';
import { KeyReencryptionService } from './key-reencryption.service.js';
import { KeyStoreService } from './key-store.service.js';
import { KEY_ENCRYPTION_KEY } from './keys.constants.js';

/** KEYS_ENCRYPTION_KEY, else a generated key file beside the SQLite database (issue 7 item 3). */
function encryptionKeyProvider(): Provider {
  return {
    provide: KEY_ENCRYPTION_KEY,
    inject: [AppConfig],
    useFactory: (config: AppConfig) => resolveEncryptionKey(config, new Logger('KeysService')),
  };
}

/**
 * Signing keys shared through the database (RFC 7515, RFC 7517) in three parts: {@link KeyStoreService}
 * (storage, encryption at rest, rotation), {@link KeyCacheService} (this instance's copy and which key signs
 * now) and {@link JwtService} (signing and verifying our JWTs); plus the JWK Set endpoint. They go by the
 * application's `Clock`, which tests move. Static: import it where needed.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity]), ClockModule],
  controllers: [JwksController],
  providers: [
    encryptionKeyProvider(),
    KeyStoreService,
    KeyCacheService,
    JwtService,
    KeyEncryptionCheck,
  ],
  exports: [KeyStoreService, KeyCacheService, JwtService],
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
