// Public surface of InternalApiModule.
export { InternalApiModule } from './internal-api.module.js';
export type { InternalApiKeyHash, InternalApiModuleOptions } from './internal-api.options.js';
export {
  CLIENT_USER_TOKENS_REVOKED,
  UserDataService,
  type ErasureCounts,
  type UserDataActor,
} from './user-data.service.js';
export { INTERNAL_API_KEY_SCHEME } from './internal-api.constants.js';
