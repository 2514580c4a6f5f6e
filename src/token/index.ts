// Public surface of TokenModule: other modules import only from here.
export { TokenModule } from './token.module.js';
export {
  AuthorizationCodeService,
  type AuthorizationCodeInput,
} from './authorization-code.service.js';
export {
  AccessTokenService,
  ACCESS_TOKEN_TYP,
  type ActiveAccessToken,
} from './access-token.service.js';
export { SUPPORTED_GRANT_TYPES } from './token-grant.service.js';
export { ASSERTION_ALGORITHMS, JWT_BEARER_ASSERTION } from './client-authentication.service.js';
export { ResourceIndicatorPolicy } from './resource-indicator-policy.service.js';
