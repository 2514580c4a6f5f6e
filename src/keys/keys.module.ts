import { type DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClockModule } from '../common/time/clock.module.js';
import { resolveEncryptionKey } from './encryption-key.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { JwksController } from './jwks.controller.js';
import { JwtService } from './jwt.service.js';
import { KeyCacheService } from './key-cache.service.js';
import { KeyEncryptionCheck } from './key-encryption-check.service.js';
import { KeyReencryptionService } from './key-reencryption.service.js';
import { KeyStoreService } from './key-store.service.js';
import { KEY_ENCRYPTION_KEY, KEYS_SETTINGS } from './keys.constants.js';
import {
  KEY_MAINTENANCE_OPTIONS,
  KEYS_ASYNC_OPTIONS_TYPE,
  KEYS_MODULE_OPTIONS,
  KEYS_OPTIONS_TYPE,
  KeyMaintenanceConfigurableModule,
  KeysConfigurableModule,
} from './keys.module-definition.js';
import { resolveKeysSettings, type KeysModuleOptions, type KeysSettings } from './keys.options.js';

/** The module's settings from its options token (KeysModule's or KeyMaintenanceModule's). */
function settingsProvider(optionsToken: symbol | string): Provider {
  return {
    provide: KEYS_SETTINGS,
    inject: [optionsToken],
    useFactory: (options: KeysModuleOptions | undefined) => resolveKeysSettings(options ?? {}),
  };
}

/** The `encryptionKey` option, else a generated key file beside the SQLite database (issue 7 item 3). */
const encryptionKeyProvider: Provider = {
  provide: KEY_ENCRYPTION_KEY,
  inject: [KEYS_SETTINGS],
  useFactory: (settings: KeysSettings) => resolveEncryptionKey(settings, new Logger('KeysService')),
};

/**
 * Signing keys shared through the database (RFC 7515, RFC 7517) in three parts: {@link KeyStoreService}
 * (storage, encryption at rest, rotation), {@link KeyCacheService} (this instance's copy and which key signs
 * now) and {@link JwtService} (signing and verifying our JWTs); plus the JWK Set endpoint. They go by the
 * application's `Clock`, which tests move.
 *
 * Configured with its own options only (`KeysModule.forRoot({...})` / `forRootAsync(...)`, see
 * {@link KeysModuleOptions}); the application fills them from its settings. Global: it is imported once,
 * by the application, and the modules that sign or verify (token, discovery, metrics) inject its
 * services without importing it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity]), ClockModule],
  controllers: [JwksController],
  providers: [
    settingsProvider(KEYS_MODULE_OPTIONS),
    encryptionKeyProvider,
    KeyStoreService,
    KeyCacheService,
    JwtService,
    KeyEncryptionCheck,
  ],
  exports: [KeyStoreService, KeyCacheService, JwtService],
})
export class KeysModule extends KeysConfigurableModule {
  static override forRoot(options: typeof KEYS_OPTIONS_TYPE = {}): DynamicModule {
    return { ...super.forRoot(options), global: true };
  }

  static override forRootAsync(options: typeof KEYS_ASYNC_OPTIONS_TYPE): DynamicModule {
    return { ...super.forRootAsync(options), global: true };
  }
}

/**
 * Maintenance of the stored signing keys for `npm run keys:reencrypt`: the same key-encryption key as the
 * server, without KeysModule's start-up check (which refuses the very rows this command repairs). Takes
 * KeysModule's options (`forRoot` / `forRootAsync`).
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  providers: [
    settingsProvider(KEY_MAINTENANCE_OPTIONS),
    encryptionKeyProvider,
    KeyReencryptionService,
  ],
  exports: [KeyReencryptionService],
})
export class KeyMaintenanceModule extends KeyMaintenanceConfigurableModule {}
