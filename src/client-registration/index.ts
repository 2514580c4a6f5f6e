// Public surface of ClientRegistrationModule: other modules import only from here.
export { ClientsModule } from './clients.module.js';
export {
  ClientsService,
  InvalidAllowedResourcesError,
  isPlausibleClientId,
  type RegisteredClient,
  type SecretCheck,
} from './clients.service.js';
export type { TokenEndpointAuthMethod } from './entities/client.entity.js';
export * from './client-registration.events.js';
export { ClientRegistrationModule } from './client-registration.module.js';
export {
  ClientRegistrationService,
  type ClientInformation,
} from './client-registration.service.js';
export { REGISTRATION_POLICY, REGISTRATION_SETTINGS } from './client-registration.constants.js';
export {
  ALLOW_ALL_POLICY,
  type ClientRegistrationModuleExtras,
  type ClientRegistrationModuleOptions,
  type RegistrationPolicy,
  type RegistrationPolicyContext,
  type RegistrationResponseStyle,
  type RegistrationSettings,
} from './client-registration.options.js';
export {
  isLoopbackHost,
  redirectUriProblem,
  usesClientSecret,
  validateClientMetadata,
  type ApplicationType,
  type ClientMetadata,
  type ClientMetadataInput,
  type MetadataRules,
} from './client-metadata.validator.js';
