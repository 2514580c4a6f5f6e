// Public surface of KeysModule: other modules import only from here.
export { KeysModule } from './keys.module.js';
export {
  KeysService,
  JwtVerificationError,
  SIGNING_ALGS,
  type RotatedKey,
  type SigningAlg,
} from './keys.service.js';
