// Public surface of KeysModule: other modules import only from here.
export { KeyMaintenanceModule, KeysModule } from './keys.module.js';
export { KEYS_DEFAULTS, type KeyStorage, type KeysModuleOptions } from './keys.options.js';
export { JwtService, JwtVerificationError } from './jwt.service.js';
export { KeyCacheService } from './key-cache.service.js';
export {
  KeyStoreService,
  SIGNING_ALGS,
  type ActiveKeyAge,
  type RotatedKey,
} from './key-store.service.js';
export type { SigningAlg } from './jwt.js';
export {
  decodeEncryptionKey,
  encryptionKeyFilePath,
  type EncryptionKeySource,
  type ResolvedEncryptionKey,
} from './encryption-key.js';
export { decryptPrivateKey, developmentEncryptionKey } from './key-encryption.js';
export { DevelopmentKeyRowsError } from './key-encryption-check.service.js';
export {
  KeyReencryptionService,
  ReencryptionError,
  type ReencryptionResult,
} from './key-reencryption.service.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
/** The entities of KeysModule, for a host's TypeORM connection and `ormconfig.ts`. */
export const KEYS_ENTITIES = [SigningKeyEntity];
