// Public surface of TokenModule: other modules import only from here.
export { TokenModule } from './token.module.js';
export {
  AuthorizationCodeService,
  type AuthorizationCodeInput,
} from './authorization-code.service.js';
