// Public surface of KeysModule: other modules import only from here.
export { KeysModule } from './keys.module.js';
export {
  KeysService,
  JwtVerificationError,
  SIGNING_ALGS,
  type RotatedKey,
  type SigningAlg,
} from './keys.service.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
/** The entities of KeysModule, for a host's TypeORM connection and `ormconfig.ts`. */
export const KEYS_ENTITIES = [SigningKeyEntity];
