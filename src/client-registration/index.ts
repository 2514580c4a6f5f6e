// Public surface of ClientRegistrationModule: other modules import only from here.
export { ClientsModule } from './clients.module.js';
export {
  ClientsService,
  isPlausibleClientId,
  type RegisteredClient,
  type SecretCheck,
} from './clients.service.js';
export type { TokenEndpointAuthMethod } from './entities/client.entity.js';
export * from './client-registration.events.js';
