import { CLIENT_REGISTRATION_MIGRATIONS } from '../database/migrations/index.js';
import { RATE_LIMIT_ENTITIES } from '../rate-limit/index.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity } from './entities/client.entity.js';

/**
 * The entities `ClientRegistrationModule` needs on the host's TypeORM connection: its clients, their
 * secrets and the rate-limit counters of its registration limit.
 */
export const CLIENT_REGISTRATION_ENTITIES = [
  ClientEntity,
  ClientSecretEntity,
  ...RATE_LIMIT_ENTITIES,
];

/** The migrations that create {@link CLIENT_REGISTRATION_ENTITIES}, in order (SQLite and MySQL/MariaDB). */
export { CLIENT_REGISTRATION_MIGRATIONS };
