// Public surface of TokenModule: other modules import only from here.
export { TokenModule } from './token.module.js';
export { TOKEN_DEFAULTS, resolveTokenSettings, type TokenModuleOptions } from './token.options.js';
export { TokenPurgeService } from './token-purge.service.js';
export { TokenUsageRecorder, USAGE_MAX_PENDING } from './token-usage.recorder.js';
export {
  AuthorizationCodeService,
  type AuthorizationCodeInput,
} from './authorization-code.service.js';
export {
  AccessTokenService,
  ACCESS_TOKEN_TYP,
  type ActiveAccessToken,
} from './access-token.service.js';
export {
  ASSERTION_ALGORITHMS,
  ClientAuthenticationService,
  JWT_BEARER_ASSERTION,
  type ClientAuthenticationResult,
} from './client-authentication.service.js';
export { TokenParams } from './token-params.js';
export { CLIENT_ASSERTION_SIGNING_ALGS } from './token.constants.js';
export {
  AuthenticatedClient,
  ClientAuthentication,
  ClientAuthGuard,
  ClientRequestParams,
  type ClientAuthenticationRoute,
} from './client-auth.guard.js';
export {
  DPOP_SIGNING_ALGS,
  DpopProofService,
  invalidDpopProof,
  type VerifiedDpopProof,
} from './dpop-proof.service.js';
export { OfferDpopNonceGuard } from './offer-dpop-nonce.guard.js';
export { DPOP_NONCE_WINDOW_SECONDS, DpopNonceService } from './dpop-nonce.service.js';
export { ResourceIndicatorPolicy } from './resource-indicator-policy.service.js';
export { UserTokensService, type RevokedTokenCounts } from './user-tokens.service.js';
export { TokenIntrospectionService, type ActiveTokenInfo } from './token-introspection.service.js';
export { IdTokenService, type IdTokenHint } from './id-token.service.js';
export {
  BackchannelLogoutService,
  BACKCHANNEL_LOGOUT_EVENT,
  LOGOUT_TOKEN_TYP,
  type EndedSessionNotice,
} from './backchannel-logout.service.js';
export {
  ClientUsageService,
  MAX_REVOCATION_GRACE_SECONDS,
  type ClientTokenItem,
  type ClientUsageStats,
  type RevokedTokens,
} from './client-usage.service.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { AuthorizationCodeEntity } from './entities/authorization-code.entity.js';
import { BackchannelLogoutDeliveryEntity } from './entities/backchannel-logout-delivery.entity.js';
import { ClientAssertionJtiEntity } from './entities/client-assertion-jti.entity.js';
import { DpopProofJtiEntity } from './entities/dpop-proof-jti.entity.js';
import { ClientTokenUsageEntity } from './entities/client-token-usage.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
/** The entities of TokenModule, for a host's TypeORM connection and `ormconfig.ts`. */
export const TOKEN_ENTITIES = [
  AuthorizationCodeEntity,
  RefreshTokenEntity,
  AccessTokenEntity,
  ClientAssertionJtiEntity,
  BackchannelLogoutDeliveryEntity,
  DpopProofJtiEntity,
  ClientTokenUsageEntity,
];
