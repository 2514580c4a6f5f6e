// Public surface of ClientRegistrationModule: what a host application needs, and nothing more. Other
// modules of this repository import only from here too.
export { ClientRegistrationModule } from './client-registration.module.js';
export { ClientIdMetadataModule, ClientsModule } from './clients.module.js';
export { ClientIdMetadataService } from './client-id-metadata.service.js';
export {
  CLIENT_ID_METADATA_DEFAULTS,
  type ClientIdMetadataOptions,
} from './client-id-metadata.options.js';
export {
  ADMIN_SCOPE,
  ClientsService,
  InvalidAllowedResourcesError,
  isPlausibleClientId,
  type RegisteredClient,
  type SecretCheck,
} from './clients.service.js';
export type {
  ClientOrigin,
  ClientStatus,
  TokenEndpointAuthMethod,
} from './entities/client.entity.js';
export { CLIENT_STATUSES, ClientEntity } from './entities/client.entity.js';
export { ClientSecretEntity, type ClientSecretStatus } from './entities/client-secret.entity.js';
export {
  ClientSecretError,
  ClientSecretsService,
  MAX_ACTIVE_SECRETS,
  type ClientSecretInfo,
  type IssuedSecret,
  type SecretChange,
} from './client-secrets.service.js';
export {
  CLIENT_REGISTRATION_ENTITIES,
  CLIENT_REGISTRATION_MIGRATIONS,
} from './client-registration.schema.js';
export * from './client-registration.events.js';
export {
  ClientAdministrationService,
  clientListFilter,
  clientListPage,
  MAX_LIST_OFFSET,
  PreconditionFailedError,
  type AdminClientInput,
  type AdministeredClient,
  type ClientPage,
  type CreateOptions,
  type IssuedClient,
  type ListQuery,
} from './client-administration.service.js';
export {
  ALLOW_ALL_POLICY,
  CLIENT_REGISTRATION_DEFAULTS,
  type ClientRegistrationModuleOptions,
  type RegistrationPolicy,
  type RegistrationPolicyContext,
  type RegistrationResponseStyle,
} from './client-registration.options.js';
export { privateUseSchemeProblem, type ClientMetadata } from './client-metadata.validator.js';
export { REGISTRATION_PATHS, REGISTRATION_ROOT_ROUTES } from './client-registration.constants.js';
export { OAuthError } from '../common/errors/oauth-error.js';
export { ClientReapingModule } from './client-reaping.module.js';
export {
  ClientReaperService,
  type ClientReapingOptions,
  type ReapResult,
} from './client-reaper.service.js';
